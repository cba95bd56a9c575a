;; A test guest for the Wasm host: one wasi:http/incoming-handler whose behaviour is chosen by
;; the first segment of the request path, whole (from the leading slash to the next `/`, `?` or
;; the end: /echo/x and /echo?a=1 echo, /echoes does not):
;;   /echo          200 with the request body, read in 64 KiB reads and written in 64 KiB writes
;;   /trap          executes `unreachable`
;;   /loop          loops forever (for the deadline)
;;   /grow          grows its memory by 100 MiB, trapping if the host refuses
;;   /file/<path>   200 with the file at <path> in the first preopen, 404 if it cannot be opened
;;   /var/<name>    200 with the Spin variable <name>, 404 if it is undefined
;;   /config/<key>  the same through wasi:config/store#get
;;   /all-config    200 with `name=value\n` for every entry of wasi:config/store#get-all
;;   /unprovided    calls wasi:sockets/instance-network@0.2.0#instance-network, which the
;;                  host does not provide
;;   /none          returns without setting a response
;;   /print         writes a line to stdout, then answers 200 "printed"
;;   /dump-env      200 with `name=value` of the first environment variable
;;   /stream        200 streamed in three writes: "first chunk\n", a 1.5 s sleep
;;                  (pollable.block), "second chunk\n", a 1 ms sleep (poll), "third chunk\n"
;;   /big-stream    200 with the request body, streamed: sets the response, sleeps 1 ms, then
;;                  writes the body in 64 KiB writes
;;   /wait-trap     200, writes "partial body\n", sleeps 1 ms, then executes `unreachable`
;;   /zzz           sleeps 60 s (pollable.block), then answers 200 "hello"
;;   /yawn          sleeps 1 s (pollable.block), then answers 200 "hello"
;;   /header        appends `x-echo: ok<CR><LF>X-Injected: yes` to its response headers: 200
;;                  "refused" when fields.append fails, else 200 "accepted" with that header
;;   /k-lie         declares content-length 5 and writes 50 bytes at once
;;   /j-lie         the same, streamed: sets the response, sleeps 1 ms, then writes
;;   /q/<name>      200 with the values of request header <name>, one per line
;;   /all           200 with 16 MiB (its first 64 KiB of memory 256 times), written at once
;;   anything else  200 "hello"
;; Built by the tests: wasm-tools parse -> component embed (world `probe`) -> component new.
(module
  (import "wasi:http/types@0.2.0" "[method]incoming-request.path-with-query"
    (func $path-with-query (param i32 i32)))
  (import "wasi:http/types@0.2.0" "[method]incoming-request.consume"
    (func $consume (param i32 i32)))
  (import "wasi:http/types@0.2.0" "[method]incoming-body.stream"
    (func $incoming-stream (param i32 i32)))
  (import "wasi:http/types@0.2.0" "[constructor]fields" (func $new-fields (result i32)))
  (import "wasi:http/types@0.2.0" "[method]fields.append"
    (func $fields-append (param i32 i32 i32 i32 i32 i32)))
  (import "wasi:http/types@0.2.0" "[method]fields.get" (func $fields-get (param i32 i32 i32 i32)))
  (import "wasi:http/types@0.2.0" "[method]incoming-request.headers"
    (func $request-headers (param i32) (result i32)))
  (import "wasi:http/types@0.2.0" "[constructor]outgoing-response"
    (func $new-response (param i32) (result i32)))
  (import "wasi:http/types@0.2.0" "[method]outgoing-response.set-status-code"
    (func $set-status (param i32 i32) (result i32)))
  (import "wasi:http/types@0.2.0" "[method]outgoing-response.body"
    (func $response-body (param i32 i32)))
  (import "wasi:http/types@0.2.0" "[static]response-outparam.set"
    (func $outparam-set (param i32 i32 i32 i32 i64 i32 i32 i32 i32)))
  (import "wasi:http/types@0.2.0" "[method]outgoing-body.write"
    (func $body-write (param i32 i32)))
  (import "wasi:http/types@0.2.0" "[static]outgoing-body.finish"
    (func $body-finish (param i32 i32 i32 i32)))
  (import "wasi:io/streams@0.2.0" "[method]input-stream.blocking-read"
    (func $blocking-read (param i32 i64 i32)))
  (import "wasi:io/streams@0.2.0" "[method]output-stream.blocking-write-and-flush"
    (func $write-flush (param i32 i32 i32 i32)))
  (import "wasi:io/streams@0.2.0" "[resource-drop]output-stream"
    (func $drop-output-stream (param i32)))
  (import "wasi:cli/stdout@0.2.0" "get-stdout" (func $get-stdout (result i32)))
  (import "wasi:cli/environment@0.2.0" "get-environment" (func $get-environment (param i32)))
  (import "wasi:filesystem/preopens@0.2.0" "get-directories"
    (func $get-directories (param i32)))
  (import "wasi:filesystem/types@0.2.0" "[method]descriptor.open-at"
    (func $open-at (param i32 i32 i32 i32 i32 i32 i32)))
  (import "wasi:filesystem/types@0.2.0" "[method]descriptor.read-via-stream"
    (func $read-via-stream (param i32 i64 i32)))
  (import "fermyon:spin/variables@2.0.0" "get" (func $variable-get (param i32 i32 i32)))
  (import "wasi:config/store@0.2.0-draft-2024-09-27" "get" (func $config-get (param i32 i32 i32)))
  (import "wasi:config/store@0.2.0-draft-2024-09-27" "get-all" (func $config-get-all (param i32)))
  (import "wasi:sockets/instance-network@0.2.0" "instance-network"
    (func $instance-network (result i32)))
  (import "wasi:clocks/monotonic-clock@0.2.0" "subscribe-duration"
    (func $subscribe-duration (param i64) (result i32)))
  (import "wasi:io/poll@0.2.0" "[method]pollable.block" (func $block (param i32)))
  (import "wasi:io/poll@0.2.0" "poll" (func $poll (param i32 i32 i32)))
  (import "wasi:io/poll@0.2.0" "[resource-drop]pollable" (func $drop-pollable (param i32)))

  (memory (export "memory") 2)

  (data (i32.const 16) "hello")            ;; 5 bytes
  (data (i32.const 32) "printed")          ;; 7 bytes
  (data (i32.const 48) "printed by probe\n") ;; 17 bytes
  (data (i32.const 80) "no such thing")    ;; 13 bytes
  (data (i32.const 96) "first chunk\n")     ;; 12 bytes
  (data (i32.const 112) "second chunk\n")   ;; 13 bytes
  (data (i32.const 128) "third chunk\n")    ;; 12 bytes
  (data (i32.const 144) "partial body\n")   ;; 13 bytes
  (data (i32.const 1024) "x-echo")          ;; 6 bytes
  (data (i32.const 1040) "ok\0d\0aX-Injected: yes") ;; 19 bytes
  (data (i32.const 1072) "content-length")  ;; 14 bytes
  (data (i32.const 1088) "5")               ;; 1 byte
  (data (i32.const 1096) "refused")         ;; 7 bytes
  (data (i32.const 1104) "accepted")        ;; 8 bytes
  (data (i32.const 1120) "01234567890123456789012345678901234567890123456789") ;; 50 bytes
  ;; The routes' names, one per 16 bytes ($route takes the address and the length).
  (data (i32.const 2048) "echo")
  (data (i32.const 2064) "trap")
  (data (i32.const 2080) "loop")
  (data (i32.const 2096) "grow")
  (data (i32.const 2112) "file")
  (data (i32.const 2128) "var")
  (data (i32.const 2144) "config")
  (data (i32.const 2160) "all-config")
  (data (i32.const 2176) "unprovided")
  (data (i32.const 2192) "none")
  (data (i32.const 2208) "print")
  (data (i32.const 2224) "dump-env")
  (data (i32.const 2240) "stream")
  (data (i32.const 2256) "big-stream")
  (data (i32.const 2272) "wait-trap")
  (data (i32.const 2288) "zzz")
  (data (i32.const 2304) "yawn")
  (data (i32.const 2320) "header")
  (data (i32.const 2336) "k-lie")
  (data (i32.const 2352) "j-lie")
  (data (i32.const 2368) "q")
  (data (i32.const 2384) "all")

  (global $ret i32 (i32.const 256))
  (global $outparam (mut i32) (i32.const 0))
  (global $path (mut i32) (i32.const 0))
  (global $path-len (mut i32) (i32.const 0))
  (global $segment-len (mut i32) (i32.const 0))
  (global $got (mut i32) (i32.const 0))
  (global $got-len (mut i32) (i32.const 0))
  (global $stream (mut i32) (i32.const 0))
  (global $out-body (mut i32) (i32.const 0))

  ;; A bump allocator; each request runs in a fresh instance, so nothing is ever freed.
  (global $heap (mut i32) (i32.const 4096))
  (func $realloc (export "cabi_realloc") (param $old i32) (param $old-size i32) (param $align i32)
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

  ;; Reads `stream` to its end; the chunks land back to back on the heap: ($got, $got-len).
  (func $read-all (param $stream i32)
    (global.set $got (global.get $heap))
    (block $done (loop $more
      (call $blocking-read (local.get $stream) (i64.const 65536) (global.get $ret))
      (br_if $done (i32.load8_u (global.get $ret)))
      (br $more)))
    (global.set $got-len (i32.sub (global.get $heap) (global.get $got))))

  (func $respond (param $status i32) (param $body i32) (param $len i32)
    (call $respond-with (call $new-fields) (local.get $status) (local.get $body) (local.get $len)))

  (func $respond-with (param $fields i32) (param $status i32) (param $body i32) (param $len i32)
    (local $response i32) (local $out i32) (local $stream i32) (local $n i32)
    (local.set $response (call $new-response (local.get $fields)))
    (if (call $set-status (local.get $response) (local.get $status)) (then unreachable))
    (call $response-body (local.get $response) (global.get $ret))
    (local.set $out (call $ok-payload))
    (call $outparam-set (global.get $outparam)
      (i32.const 0) (local.get $response) (i32.const 0) (i64.const 0)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
    (call $body-write (local.get $out) (global.get $ret))
    (local.set $stream (call $ok-payload))
    (block $done (loop $more
      (br_if $done (i32.eqz (local.get $len)))
      (local.set $n (select (i32.const 65536) (local.get $len)
        (i32.gt_u (local.get $len) (i32.const 65536))))
      (call $write-flush (local.get $stream) (local.get $body) (local.get $n) (global.get $ret))
      (drop (call $ok-payload))
      (local.set $body (i32.add (local.get $body) (local.get $n)))
      (local.set $len (i32.sub (local.get $len) (local.get $n)))
      (br $more)))
    (call $drop-output-stream (local.get $stream))
    (call $body-finish (local.get $out) (i32.const 0) (i32.const 0) (global.get $ret))
    (drop (call $ok-payload)))

  ;; Sets a 200 response at once and opens its body stream ($stream, $out-body).
  (func $start-stream (call $start-stream-with (call $new-fields)))

  (func $start-stream-with (param $fields i32)
    (local $response i32)
    (local.set $response (call $new-response (local.get $fields)))
    (call $response-body (local.get $response) (global.get $ret))
    (global.set $out-body (call $ok-payload))
    (call $outparam-set (global.get $outparam)
      (i32.const 0) (local.get $response) (i32.const 0) (i64.const 0)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
    (call $body-write (global.get $out-body) (global.get $ret))
    (global.set $stream (call $ok-payload)))

  (func $send (param $ptr i32) (param $len i32)
    (call $write-flush (global.get $stream) (local.get $ptr) (local.get $len) (global.get $ret))
    (drop (call $ok-payload)))

  (func $end-stream
    (call $drop-output-stream (global.get $stream))
    (call $body-finish (global.get $out-body) (i32.const 0) (i32.const 0) (global.get $ret))
    (drop (call $ok-payload)))

  ;; Sleeps through pollable.block.
  (func $sleep-ms (param $ms i64)
    (local $pollable i32)
    (local.set $pollable (call $subscribe-duration (i64.mul (local.get $ms) (i64.const 1000000))))
    (call $block (local.get $pollable))
    (call $drop-pollable (local.get $pollable)))

  ;; Sleeps through poll([pollable]), the list at address 512.
  (func $poll-ms (param $ms i64)
    (i32.store (i32.const 512)
      (call $subscribe-duration (i64.mul (local.get $ms) (i64.const 1000000))))
    (call $poll (i32.const 512) (i32.const 1) (global.get $ret))
    (if (i32.ne (i32.load (i32.add (global.get $ret) (i32.const 4))) (i32.const 1))
      (then unreachable))
    (call $drop-pollable (i32.load (i32.const 512))))

  (func $stream-chunks
    (call $start-stream)
    (call $send (i32.const 96) (i32.const 12))
    (call $sleep-ms (i64.const 1500))
    (call $send (i32.const 112) (i32.const 13))
    (call $poll-ms (i64.const 1))
    (call $send (i32.const 128) (i32.const 12))
    (call $end-stream))

  (func $big-stream (param $request i32)
    (local $body i32) (local $len i32) (local $n i32)
    (call $consume (local.get $request) (global.get $ret))
    (call $incoming-stream (call $ok-payload) (global.get $ret))
    (call $read-all (call $ok-payload))
    (local.set $body (global.get $got))
    (local.set $len (global.get $got-len))
    (call $start-stream)
    (call $sleep-ms (i64.const 1))
    (block $done (loop $more
      (br_if $done (i32.eqz (local.get $len)))
      (local.set $n (select (i32.const 65536) (local.get $len)
        (i32.gt_u (local.get $len) (i32.const 65536))))
      (call $send (local.get $body) (local.get $n))
      (local.set $body (i32.add (local.get $body) (local.get $n)))
      (local.set $len (i32.sub (local.get $len) (local.get $n)))
      (br $more)))
    (call $end-stream))

  (func $wait-trap
    (call $start-stream)
    (call $send (i32.const 144) (i32.const 13))
    (call $sleep-ms (i64.const 1))
    unreachable)

  ;; fields.append(fields, name at 1024/6 or 1072/14, value) -> 1 when it failed.
  (func $append (param $fields i32) (param $name i32) (param $name-len i32) (param $value i32)
    (param $value-len i32) (result i32)
    (call $fields-append (local.get $fields) (local.get $name) (local.get $name-len)
      (local.get $value) (local.get $value-len) (global.get $ret))
    (i32.load8_u (global.get $ret)))

  (func $header
    (local $fields i32)
    (local.set $fields (call $new-fields))
    (if (call $append (local.get $fields) (i32.const 1024) (i32.const 6) (i32.const 1040)
        (i32.const 19))
      (then (call $respond (i32.const 200) (i32.const 1096) (i32.const 7)) (return)))
    (call $respond-with (local.get $fields) (i32.const 200) (i32.const 1104) (i32.const 8)))

  (func $length-5 (result i32)
    (local $fields i32)
    (local.set $fields (call $new-fields))
    (if (call $append (local.get $fields) (i32.const 1072) (i32.const 14) (i32.const 1088)
        (i32.const 1))
      (then unreachable))
    (local.get $fields))

  (func $big-answer
    (local $i i32)
    (call $start-stream)
    (block $done (loop $more
      (br_if $done (i32.ge_u (local.get $i) (i32.const 256)))
      (call $send (i32.const 0) (i32.const 65536))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $more)))
    (call $end-stream))

  (func $length-lie-streamed
    (call $start-stream-with (call $length-5))
    (call $sleep-ms (i64.const 1))
    (call $send (i32.const 1120) (i32.const 50))
    (call $end-stream))

  ;; list<list<u8>> at ($ret): (ptr, len) pairs; each value goes out followed by a newline.
  (func $header-values (param $request i32)
    (local $i i32) (local $count i32) (local $item i32) (local $out i32) (local $at i32)
    (call $fields-get (call $request-headers (local.get $request))
      (call $rest-ptr (i32.const 3)) (call $rest-len (i32.const 3)) (global.get $ret))
    (local.set $count (i32.load (i32.add (global.get $ret) (i32.const 4))))
    (local.set $item (i32.load (global.get $ret)))
    (local.set $out (call $realloc (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 4096)))
    (local.set $at (local.get $out))
    (block $done (loop $more
      (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
      (memory.copy (local.get $at) (i32.load (local.get $item))
        (i32.load (i32.add (local.get $item) (i32.const 4))))
      (local.set $at (i32.add (local.get $at) (i32.load (i32.add (local.get $item) (i32.const 4)))))
      (i32.store8 (local.get $at) (i32.const 0x0a))
      (local.set $at (i32.add (local.get $at) (i32.const 1)))
      (local.set $item (i32.add (local.get $item) (i32.const 8)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $more)))
    (call $respond (i32.const 200) (local.get $out) (i32.sub (local.get $at) (local.get $out))))

  (func $not-found (call $respond (i32.const 404) (i32.const 80) (i32.const 13)))

  (func $echo (param $request i32)
    (call $consume (local.get $request) (global.get $ret))
    (call $incoming-stream (call $ok-payload) (global.get $ret))
    (call $read-all (call $ok-payload))
    (call $respond (i32.const 200) (global.get $got) (global.get $got-len)))

  ;; The path after its first `skip` bytes, e.g. 6 for "/file/".
  (func $rest-ptr (param $skip i32) (result i32) (i32.add (global.get $path) (local.get $skip)))
  (func $rest-len (param $skip i32) (result i32) (i32.sub (global.get $path-len) (local.get $skip)))

  (func $file
    (local $dir i32)
    (call $get-directories (global.get $ret))
    (if (i32.eqz (i32.load (i32.add (global.get $ret) (i32.const 4))))
      (then (call $not-found) (return)))
    (local.set $dir (i32.load (i32.load (global.get $ret))))
    ;; open-at(dir, path-flags: {}, path, open-flags: {}, flags: {read})
    (call $open-at (local.get $dir) (i32.const 0)
      (call $rest-ptr (i32.const 6)) (call $rest-len (i32.const 6))
      (i32.const 0) (i32.const 1) (global.get $ret))
    (if (i32.load8_u (global.get $ret)) (then (call $not-found) (return)))
    (call $read-via-stream (i32.load (i32.add (global.get $ret) (i32.const 4)))
      (i64.const 0) (global.get $ret))
    (call $read-all (call $ok-payload))
    (call $respond (i32.const 200) (global.get $got) (global.get $got-len)))

  (func $variable
    (call $variable-get (call $rest-ptr (i32.const 5)) (call $rest-len (i32.const 5))
      (global.get $ret))
    (if (i32.load8_u (global.get $ret)) (then (call $not-found) (return)))
    (call $respond (i32.const 200)
      (i32.load (i32.add (global.get $ret) (i32.const 4)))
      (i32.load (i32.add (global.get $ret) (i32.const 8)))))

;; result<option<string>, error>: discriminants at +0 and +4, the string at +8.
  (func $config
    (call $config-get (call $rest-ptr (i32.const 8)) (call $rest-len (i32.const 8))
      (global.get $ret))
    (if (i32.load8_u (global.get $ret)) (then unreachable))
    (if (i32.eqz (i32.load8_u (i32.add (global.get $ret) (i32.const 4))))
      (then (call $not-found) (return)))
    (call $respond (i32.const 200)
      (i32.load (i32.add (global.get $ret) (i32.const 8)))
      (i32.load (i32.add (global.get $ret) (i32.const 12)))))

;; result<list<tuple<string, string>>, error>: discriminant at +0, the list (ptr, len) at +4;
;; entries of (name ptr, name len, value ptr, value len), written out as `name=value\n` lines.
  (func $config-all
    (local $entry i32) (local $end i32) (local $out i32) (local $at i32) (local $n i32)
    (call $config-get-all (global.get $ret))
    (if (i32.load8_u (global.get $ret)) (then unreachable))
    (local.set $entry (i32.load (i32.add (global.get $ret) (i32.const 4))))
    (local.set $end (i32.add (local.get $entry)
      (i32.mul (i32.load (i32.add (global.get $ret) (i32.const 8))) (i32.const 16))))
    (local.set $out (global.get $heap))
    (local.set $at (local.get $out))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $entry) (local.get $end)))
        (local.set $n (i32.load (i32.add (local.get $entry) (i32.const 4))))
        (memory.copy (local.get $at) (i32.load (local.get $entry)) (local.get $n))
        (local.set $at (i32.add (local.get $at) (local.get $n)))
        (i32.store8 (local.get $at) (i32.const 0x3d))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (local.set $n (i32.load (i32.add (local.get $entry) (i32.const 12))))
        (memory.copy (local.get $at) (i32.load (i32.add (local.get $entry) (i32.const 8)))
          (local.get $n))
        (local.set $at (i32.add (local.get $at) (local.get $n)))
        (i32.store8 (local.get $at) (i32.const 0x0a))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (local.set $entry (i32.add (local.get $entry) (i32.const 16)))
        (br $next)))
    (call $respond (i32.const 200) (local.get $out) (i32.sub (local.get $at) (local.get $out))))

;; list<tuple<string, string>> at ($ret): entries of (name ptr, name len, value ptr, value len).
  (func $dump-env
    (local $entry i32) (local $out i32)
    (call $get-environment (global.get $ret))
    (if (i32.eqz (i32.load (i32.add (global.get $ret) (i32.const 4))))
      (then (call $not-found) (return)))
    (local.set $entry (i32.load (global.get $ret)))
    (local.set $out (global.get $heap))
    (memory.copy (local.get $out) (i32.load (local.get $entry))
      (i32.load (i32.add (local.get $entry) (i32.const 4))))
    (i32.store8 (i32.add (local.get $out) (i32.load (i32.add (local.get $entry) (i32.const 4))))
      (i32.const 0x3d))
    (memory.copy
      (i32.add (i32.add (local.get $out) (i32.load (i32.add (local.get $entry) (i32.const 4))))
        (i32.const 1))
      (i32.load (i32.add (local.get $entry) (i32.const 8)))
      (i32.load (i32.add (local.get $entry) (i32.const 12))))
    (call $respond (i32.const 200) (local.get $out)
      (i32.add (i32.const 1) (i32.add (i32.load (i32.add (local.get $entry) (i32.const 4)))
        (i32.load (i32.add (local.get $entry) (i32.const 12)))))))

  (func $print
    (local $stdout i32)
    (local.set $stdout (call $get-stdout))
    (call $write-flush (local.get $stdout) (i32.const 48) (i32.const 17) (global.get $ret))
    (drop (call $ok-payload))
    (call $drop-output-stream (local.get $stdout))
    (call $respond (i32.const 200) (i32.const 32) (i32.const 7)))

  ;; The length of the path's first segment: its bytes after the leading slash up to the next
  ;; `/`, `?` or the end.
  (func $first-segment-len (result i32)
    (local $i i32) (local $c i32)
    (local.set $i (i32.const 1))
    (block $done (loop $more
      (br_if $done (i32.ge_u (local.get $i) (global.get $path-len)))
      (local.set $c (i32.load8_u (i32.add (global.get $path) (local.get $i))))
      (br_if $done (i32.or (i32.eq (local.get $c) (i32.const 0x2f))
                           (i32.eq (local.get $c) (i32.const 0x3f))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $more)))
    (i32.sub (local.get $i) (i32.const 1)))

  ;; 1 when the path's first segment is the route name at ($name, $len), whole.
  (func $route (param $name i32) (param $len i32) (result i32)
    (local $i i32)
    (if (i32.ne (global.get $segment-len) (local.get $len)) (then (return (i32.const 0))))
    (block $done (loop $more
      (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
      (if (i32.ne (i32.load8_u (i32.add (local.get $name) (local.get $i)))
                  (i32.load8_u (i32.add (global.get $path) (i32.add (local.get $i) (i32.const 1)))))
        (then (return (i32.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $more)))
    (i32.const 1))

  (func (export "wasi:http/incoming-handler@0.2.0#handle") (param $request i32) (param $outparam i32)
    (global.set $outparam (local.get $outparam))
    (call $path-with-query (local.get $request) (global.get $ret))
    (global.set $path (i32.load (i32.add (global.get $ret) (i32.const 4))))
    (global.set $path-len (i32.load (i32.add (global.get $ret) (i32.const 8))))
    (global.set $segment-len (call $first-segment-len))
    (if (call $route (i32.const 2048) (i32.const 4)) (then (call $echo (local.get $request)) (return)))
    (if (call $route (i32.const 2064) (i32.const 4)) (then unreachable))
    (if (call $route (i32.const 2080) (i32.const 4)) (then (loop $forever (br $forever))))
    (if (call $route (i32.const 2096) (i32.const 4))
      (then (if (i32.eq (memory.grow (i32.const 1600)) (i32.const -1)) (then unreachable))))
    (if (call $route (i32.const 2112) (i32.const 4)) (then (call $file) (return)))
    (if (call $route (i32.const 2128) (i32.const 3)) (then (call $variable) (return)))
    (if (call $route (i32.const 2144) (i32.const 6)) (then (call $config) (return)))
    (if (call $route (i32.const 2160) (i32.const 10)) (then (call $config-all) (return)))
    (if (call $route (i32.const 2176) (i32.const 10)) (then (drop (call $instance-network))))
    (if (call $route (i32.const 2192) (i32.const 4)) (then (return)))
    (if (call $route (i32.const 2208) (i32.const 5)) (then (call $print) (return)))
    (if (call $route (i32.const 2224) (i32.const 8)) (then (call $dump-env) (return)))
    (if (call $route (i32.const 2240) (i32.const 6)) (then (call $stream-chunks) (return)))
    (if (call $route (i32.const 2256) (i32.const 10)) (then (call $big-stream (local.get $request)) (return)))
    (if (call $route (i32.const 2272) (i32.const 9)) (then (call $wait-trap) (return)))
    (if (call $route (i32.const 2288) (i32.const 3)) (then (call $sleep-ms (i64.const 60000))))
    (if (call $route (i32.const 2304) (i32.const 4)) (then (call $sleep-ms (i64.const 1000))))
    (if (call $route (i32.const 2320) (i32.const 6)) (then (call $header) (return)))
    (if (call $route (i32.const 2336) (i32.const 5))
      (then (call $respond-with (call $length-5) (i32.const 200) (i32.const 1120) (i32.const 50))
        (return)))
    (if (call $route (i32.const 2352) (i32.const 5)) (then (call $length-lie-streamed) (return)))
    (if (call $route (i32.const 2368) (i32.const 1)) (then (call $header-values (local.get $request)) (return)))
    (if (call $route (i32.const 2384) (i32.const 3)) (then (call $big-answer) (return)))
    (call $respond (i32.const 200) (i32.const 16) (i32.const 5)))
)
