;; A core module like a Rust (spin-sdk, wasm32-wasip1) or TinyGo Spin app that uses key-value:
;; each request opens the default store (fermyon:spin/key-value@2.0.0), reads `count` (a decimal
;; number, absent at first), stores it plus one, logs a line through WASI preview1 (`fd_write`)
;; and answers 200, `text/plain`, with the new count: 1, 2, 3, ... A store error traps.
;;
;; scripts/build-apps.sh embeds the world of wit/world.wit and leaves app.wasm a core module; the
;; runtime turns it into a component at load with the WASI preview1 reactor adapter.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd-write (param i32 i32 i32 i32) (result i32)))
  ;; open(label) -> result<store, error>; get(key) -> result<option<list<u8>>, error>;
  ;; set(key, value) -> result<_, error>: all through the return pointer.
  (import "fermyon:spin/key-value@2.0.0" "[static]store.open"
    (func $store-open (param i32 i32 i32)))
  (import "fermyon:spin/key-value@2.0.0" "[method]store.get"
    (func $store-get (param i32 i32 i32 i32)))
  (import "fermyon:spin/key-value@2.0.0" "[method]store.set"
    (func $store-set (param i32 i32 i32 i32 i32 i32)))
  (import "fermyon:spin/key-value@2.0.0" "[resource-drop]store"
    (func $drop-store (param i32)))
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

  (data (i32.const 16) "content-type")                 ;; 12 bytes
  (data (i32.const 32) "text/plain")                   ;; 10 bytes
  (data (i32.const 48) "default")                      ;; 7 bytes
  (data (i32.const 64) "count")                        ;; 5 bytes
  (data (i32.const 80) "\10\00\00\00\0c\00\00\00\20\00\00\00\0a\00\00\00")
  (data (i32.const 96) "core-kv: counting a request\n")  ;; 28 bytes
  (data (i32.const 144) "\60\00\00\00\1c\00\00\00")

  (global $ret i32 (i32.const 160))
  (global $written i32 (i32.const 192))
  (global $digits-end i32 (i32.const 240))  ;; the count is formatted backwards from here

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

  ;; The decimal number at (ptr, len); no digits is 0.
  (func $parse (param $ptr i32) (param $len i32) (result i32)
    (local $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $len)))
        (local.set $n (i32.add (i32.mul (local.get $n) (i32.const 10))
          (i32.sub (i32.load8_u (local.get $ptr)) (i32.const 48))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 1)))
        (local.set $len (i32.sub (local.get $len) (i32.const 1)))
        (br $next)))
    (local.get $n))

  ;; Writes n in decimal so that it ends at $digits-end; returns where it starts.
  (func $format (param $n i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (global.get $digits-end))
    (loop $next
      (local.set $ptr (i32.sub (local.get $ptr) (i32.const 1)))
      (i32.store8 (local.get $ptr) (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $next (local.get $n)))
    (local.get $ptr))

  (func (export "wasi:http/incoming-handler@0.2.0#handle") (param $request i32) (param $outparam i32)
    (local $store i32)
    (local $count i32)
    (local $ptr i32)
    (local $len i32)
    (call $drop-incoming-request (local.get $request))
    (if (call $fd-write (i32.const 1) (i32.const 144) (i32.const 1) (global.get $written))
      (then unreachable))
    (call $store-open (i32.const 48) (i32.const 7) (global.get $ret))
    (local.set $store (call $ok-payload))
    ;; ok(option<list<u8>>): the option's discriminant at 4, the list at 8 (ptr) and 12 (len).
    (call $store-get (local.get $store) (i32.const 64) (i32.const 5) (global.get $ret))
    (if (i32.load8_u (global.get $ret)) (then unreachable))
    (if (i32.load8_u (i32.add (global.get $ret) (i32.const 4)))
      (then (local.set $count (call $parse
        (i32.load (i32.add (global.get $ret) (i32.const 8)))
        (i32.load (i32.add (global.get $ret) (i32.const 12)))))))
    (local.set $ptr (call $format (i32.add (local.get $count) (i32.const 1))))
    (local.set $len (i32.sub (global.get $digits-end) (local.get $ptr)))
    (call $store-set (local.get $store) (i32.const 64) (i32.const 5)
      (local.get $ptr) (local.get $len) (global.get $ret))
    (drop (call $ok-payload))
    (call $drop-store (local.get $store))
    (call $respond (local.get $outparam) (local.get $ptr) (local.get $len)))
)
