;; A core module like a Rust (spin-sdk, wasm32-wasip1) or TinyGo Spin app that reads an
;; application variable: each request reads `greeting` through fermyon:spin/variables@2.0.0, logs
;; a line through WASI preview1 (`fd_write`), and answers 200, `text/plain`, with its value.
;; A variable error traps (the host answers 500).
;;
;; scripts/build-apps.sh embeds the world of wit/world.wit and leaves app.wasm a core module; the
;; runtime turns it into a component at load with the WASI preview1 reactor adapter.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd-write (param i32 i32 i32 i32) (result i32)))
  ;; get(name: string) -> result<string, error>: through the return pointer.
  (import "fermyon:spin/variables@2.0.0" "get"
    (func $variables-get (param i32 i32 i32)))
  (import "wasi:http/types@0.2.0" "[resource-drop]incoming-request"
    (func $drop-incoming-request (param i32)))
  (import "wasi:http/types@0.2.0" "[static]fields.from-list"
    (func $fields-from-list (param i32 i32 i32)))
  (import "wasi:http/types@0.2.0" "[constructor]outgoing-response"
    (func $new-outgoing-response (param i32) (result i32)))
  (import "wasi:http/types@0.2.0" "[method]outgoing-response.body"
    (func $outgoing-response-body (param i32 i32)))
  (import "wasi:http/types@0.2.0" "[static]response-outparam.set"
    (func $response-outparam-set (param i32 i32 i32 i32 i64 i32 i32 i32 i32)))
  (import "wasi:http/types@0.2.0" "[method]outgoing-body.write"
    (func $outgoing-body-write (param i32 i32)))
  (import "wasi:http/types@0.2.0" "[static]outgoing-body.finish"
    (func $outgoing-body-finish (param i32 i32 i32 i32)))
  (import "wasi:io/streams@0.2.0" "[method]output-stream.blocking-write-and-flush"
    (func $blocking-write-and-flush (param i32 i32 i32 i32)))
  (import "wasi:io/streams@0.2.0" "[resource-drop]output-stream"
    (func $drop-output-stream (param i32)))

  (memory (export "memory") 1)

  (data (i32.const 16) "content-type")                      ;; 12 bytes
  (data (i32.const 32) "text/plain")                        ;; 10 bytes
  (data (i32.const 48) "greeting")                          ;; 8 bytes
  (data (i32.const 80) "\10\00\00\00\0c\00\00\00\20\00\00\00\0a\00\00\00")
  (data (i32.const 96) "core-variables: reading greeting\n")  ;; 33 bytes
  (data (i32.const 144) "\60\00\00\00\21\00\00\00")

  (global $ret i32 (i32.const 160))
  (global $written i32 (i32.const 192))

  (global $heap (mut i32) (i32.const 1024))
  (func (export "cabi_realloc") (param $old i32) (param $old-size i32) (param $align i32)
    (param $size i32) (result i32)
    (local $ptr i32)
    (if (local.get $old) (then unreachable))
    (local.set $ptr (i32.and
      (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
      (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $size)))
    (if (i32.gt_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
      (then (if (i32.eq (memory.grow
          (i32.add (i32.shr_u (i32.sub (global.get $heap) (i32.const 1)) (i32.const 16))
                   (i32.sub (i32.const 1) (memory.size))))
          (i32.const -1)) (then unreachable))))
    (local.get $ptr))

  ;; Traps unless the result in the return area is `ok`; returns its i32 payload.
  (func $ok-payload (result i32)
    (if (i32.load8_u (global.get $ret)) (then unreachable))
    (i32.load (i32.add (global.get $ret) (i32.const 4))))

  ;; 200, content-type text/plain, and the body at (ptr, len).
  (func $respond (param $outparam i32) (param $ptr i32) (param $len i32)
    (local $response i32)
    (local $body i32)
    (local $stream i32)
    (call $fields-from-list (i32.const 80) (i32.const 1) (global.get $ret))
    (local.set $response (call $new-outgoing-response (call $ok-payload)))
    (call $outgoing-response-body (local.get $response) (global.get $ret))
    (local.set $body (call $ok-payload))
    (call $response-outparam-set (local.get $outparam)
      (i32.const 0) (local.get $response) (i32.const 0) (i64.const 0)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
    (call $outgoing-body-write (local.get $body) (global.get $ret))
    (local.set $stream (call $ok-payload))
    (call $blocking-write-and-flush (local.get $stream) (local.get $ptr) (local.get $len)
      (global.get $ret))
    (drop (call $ok-payload))
    (call $drop-output-stream (local.get $stream))
    (call $outgoing-body-finish (local.get $body) (i32.const 0) (i32.const 0) (global.get $ret))
    (drop (call $ok-payload)))

  (func (export "wasi:http/incoming-handler@0.2.0#handle") (param $request i32) (param $outparam i32)
    (local $ptr i32)
    (local $len i32)
    (call $drop-incoming-request (local.get $request))
    (if (call $fd-write (i32.const 1) (i32.const 144) (i32.const 1) (global.get $written))
      (then unreachable))
    (call $variables-get (i32.const 48) (i32.const 8) (global.get $ret))
    (local.set $ptr (call $ok-payload))
    (local.set $len (i32.load (i32.add (global.get $ret) (i32.const 8))))
    (call $respond (local.get $outparam) (local.get $ptr) (local.get $len)))
)
