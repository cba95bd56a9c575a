"""The `runtime-class-manager` process: kopf handlers over the pure builders of
`spinkube.rcm.desired`, on the shared client (`spinkube.kube`) and manager plumbing
(`spinkube.manager`: leader election, health and metrics)."""
