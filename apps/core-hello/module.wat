;; A core module shaped like what Rust's spin-sdk (wasm32-wasip1) or TinyGo emit for a Spin HTTP
;; app: it implements wasi:http/incoming-handler@0.2.0#handle, writes a log line through WASI
;; preview1 (`fd_write` to stdout), and answers every request with 200, `text/plain`,
;; `Hello from a core module!`.
;;
;; scripts/build-apps.sh embeds the world of wit/world.wit (`wasm-tools component embed`) and
;; stops there: app.wasm stays a core module, which the runtime turns into a component at load
;; with the WASI preview1 reactor adapter, as Spin does.
;;
;; Calls follow the canonical ABI: a result whose flat form has more than one value comes back
;; through a pointer (the last parameter), discriminant byte at offset 0, payload at offset 4.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd-write (param i32 i32 i32 i32) (result i32)))
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

  (data (i32.const 16) "content-type")                ;; 12 bytes
  (data (i32.const 32) "text/plain")                  ;; 10 bytes
  (data (i32.const 48) "Hello from a core module!")   ;; 25 bytes
  ;; One header, tuple<string, list<u8>>: key (ptr, len), value (ptr, len).
  (data (i32.const 80) "\10\00\00\00\0c\00\00\00\20\00\00\00\0a\00\00\00")
  (data (i32.const 96) "core-hello: handling a request\n")  ;; 31 bytes
  ;; The preview1 iovec for the log line: (ptr, len).
  (data (i32.const 144) "\60\00\00\00\1f\00\00\00")

  (global $ret i32 (i32.const 160))  ;; return area
  (global $written i32 (i32.const 192))  ;; fd_write's byte count

  ;; A bump allocator for the host's lowerings and the adapter; every request runs in a fresh
  ;; instance, so nothing is freed. Growing in place is never asked for.
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
    (call $drop-incoming-request (local.get $request))
    (if (call $fd-write (i32.const 1) (i32.const 144) (i32.const 1) (global.get $written))
      (then unreachable))
    (call $respond (local.get $outparam) (i32.const 48) (i32.const 25)))
)
