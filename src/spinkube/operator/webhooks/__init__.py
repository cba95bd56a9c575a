"""The admission webhooks: AdmissionReview v1 over HTTPS, served by every replica.

`review` parses requests and builds responses (pure), `admit` applies the rules of
`spinkube.admission` to one request, `server` is the aiohttp HTTPS server with the four paths
the chart's webhook configurations call.
"""
