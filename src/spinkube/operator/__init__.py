"""L3: the Spin Operator manager: thin kopf handlers that call the pure layers and kube."""
