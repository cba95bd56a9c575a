"""The scaffold manifest template, block by block (upstream PK `manifestStr`, our API group).

Each block is YAML text with `$placeholders`; `render` picks the blocks the options ask for and
fills them in. Keeping the text literal here is what makes the output byte-exact: it never goes
through a YAML dumper.
"""

from __future__ import annotations

from string import Template

SPINAPP = Template("""\
apiVersion: core.spinoperator.dev/v1alpha1
kind: SpinApp
metadata:
  name: $name
spec:
  image: "$image"
  executor: $executor
""")

ENABLE_AUTOSCALING = "  enableAutoscaling: true\n"
REPLICAS = Template("  replicas: $replicas\n")

VARIABLES = "  variables:\n"
VARIABLE = Template("""\
  - name: $name
    value: $value
""")

COMPONENTS = "  components:\n"
COMPONENT = Template("  - $component\n")

RESOURCES = "  resources:\n"
LIMITS = "    limits:\n"
REQUESTS = "    requests:\n"
CPU = Template("      cpu: $quantity\n")
MEMORY = Template("      memory: $quantity\n")

IMAGE_PULL_SECRETS = "  imagePullSecrets:\n"
IMAGE_PULL_SECRET = Template("    - name: $secret\n")

RUNTIME_CONFIG = Template("""\
  runtimeConfig:
    loadFromSecret: $name-runtime-config
---
apiVersion: v1
kind: Secret
metadata:
  name: $name-runtime-config
type: Opaque
data:
  runtime-config.toml: $data
""")

HPA = Template("""\
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: $name-autoscaler
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: $name
  minReplicas: $min_replicas
  maxReplicas: $max_replicas
  metrics:
  - type: Resource
    resource:
      name: cpu
      target:
        type: Utilization
        averageUtilization: $cpu
  - type: Resource
    resource:
      name: memory
      target:
        type: Utilization
        averageUtilization: $memory
""")

KEDA = Template("""\
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: $name-autoscaler
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: $name
  minReplicaCount: $min_replicas
  maxReplicaCount: $max_replicas
  triggers:
  - type: cpu
    metricType: Utilization
    metadata:
      value: "$cpu"
  - type: memory
    metricType: Utilization
    metadata:
      value: "$memory"
""")
