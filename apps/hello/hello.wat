;; A hand-written core module for the `hello` Spin app: it implements
;; wasi:http/incoming-handler@0.2.0#handle and answers every request with
;; 200, `content-type: text/plain` and the body `Hello world from Spin!`.
;;
;; It is turned into a component by scripts/build-apps.sh:
;;   wasm-tools parse hello.wat
;;   -> wasm-tools component embed wit --world hello
;;   -> wasm-tools component new
;;
;; Calls follow the canonical ABI (legacy import names): a `result` whose flat form has more than
;; one value is returned through a pointer (the last parameter), with the discriminant byte at
;; offset 0 and the payload at the payload's alignment (4 for handles). Any error traps.
(module
  (import "wasi:http/types@0.2.0" "[resource-drop]incoming-request"
    (func $drop-incoming-request (param i32)))
  ;; from-list(entries: list<tuple<field-key, field-value>>) -> result<fields, header-error>
  (import "wasi:http/types@0.2.0" "[static]fields.from-list"
    (func $fields-from-list (param i32 i32 i32)))
  (import "wasi:http/types@0.2.0" "[constructor]outgoing-response"
    (func $new-outgoing-response (param i32) (result i32)))
  ;; body(self) -> result<outgoing-body>
  (import "wasi:http/types@0.2.0" "[method]outgoing-response.body"
    (func $outgoing-response-body (param i32 i32)))
  ;; set(param: response-outparam, response: result<outgoing-response, error-code>):
  ;; the result is passed flat: discriminant, then the joined payload slots.
  (import "wasi:http/types@0.2.0" "[static]response-outparam.set"
    (func $response-outparam-set (param i32 i32 i32 i32 i64 i32 i32 i32 i32)))
  ;; write(self) -> result<output-stream>
  (import "wasi:http/types@0.2.0" "[method]outgoing-body.write"
    (func $outgoing-body-write (param i32 i32)))
  ;; finish(this: outgoing-body, trailers: option<trailers>) -> result<_, error-code>
  (import "wasi:http/types@0.2.0" "[static]outgoing-body.finish"
    (func $outgoing-body-finish (param i32 i32 i32 i32)))
  ;; blocking-write-and-flush(self, contents: list<u8>) -> result<_, stream-error>
  (import "wasi:io/streams@0.2.0" "[method]output-stream.blocking-write-and-flush"
    (func $blocking-write-and-flush (param i32 i32 i32 i32)))
  (import "wasi:io/streams@0.2.0" "[resource-drop]output-stream"
    (func $drop-output-stream (param i32)))

  (memory (export "memory") 1)

  (data (i32.const 16) "content-type")            ;; 12 bytes
  (data (i32.const 32) "text/plain")              ;; 10 bytes
  (data (i32.const 48) "Hello world from Spin!")  ;; 22 bytes
  ;; The header list: one tuple<string, list<u8>> = key (ptr, len), value (ptr, len).
  (data (i32.const 80) "\10\00\00\00\0c\00\00\00\20\00\00\00\0a\00\00\00")

  ;; Return area for results passed through memory.
  (global $ret i32 (i32.const 128))

  ;; A bump allocator for the host's lowerings (the component tooling requires one); each request
  ;; runs in a fresh instance, so nothing is ever freed. Growing in place is never asked for.
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

  ;; Traps unless the result at the return area is `ok`; returns its i32 payload.
  (func $ok-payload (result i32)
    (if (i32.load8_u (global.get $ret)) (then unreachable))
    (i32.load (i32.add (global.get $ret) (i32.const 4))))

  (func (export "wasi:http/incoming-handler@0.2.0#handle") (param $request i32) (param $outparam i32)
    (local $response i32)
    (local $body i32)
    (local $stream i32)
    (call $drop-incoming-request (local.get $request))

    (call $fields-from-list (i32.const 80) (i32.const 1) (global.get $ret))
    (local.set $response (call $new-outgoing-response (call $ok-payload)))

    (call $outgoing-response-body (local.get $response) (global.get $ret))
    (local.set $body (call $ok-payload))

    ;; Ok(response): discriminant 0, the handle in the first payload slot.
    (call $response-outparam-set (local.get $outparam)
      (i32.const 0) (local.get $response) (i32.const 0) (i64.const 0)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))

    (call $outgoing-body-write (local.get $body) (global.get $ret))
    (local.set $stream (call $ok-payload))
    (call $blocking-write-and-flush (local.get $stream) (i32.const 48) (i32.const 22) (global.get $ret))
    (drop (call $ok-payload))
    (call $drop-output-stream (local.get $stream))

    ;; finish(body, none)
    (call $outgoing-body-finish (local.get $body) (i32.const 0) (i32.const 0) (global.get $ret))
    (drop (call $ok-payload)))
)
