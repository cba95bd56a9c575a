// hello-js: answers every request with a greeting. A plain wasi:http proxy built with Spin's
// JavaScript tooling (@spinframework/build-tools' j2w, the fetch-event API of StarlingMonkey).

addEventListener("fetch", (event) => {
  event.respondWith(
    new Response("Hello from JavaScript!", {
      status: 200,
      headers: { "content-type": "text/plain" },
    }),
  );
});
