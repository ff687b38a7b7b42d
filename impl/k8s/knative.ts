/**
 * The pod template of a Knative Service revision, as Knative Serving (1.x) writes it into
 * the revision's Deployment: the user's `user-container` and the injected `queue-proxy`
 * sidecar with its environment, ports, probes, resources, security context, plus the
 * service-account volume that admission adds to every pod. Its only job is to make objects
 * realistically large (~17 KB per pod with managed fields), because that size is what the
 * vanilla path pays on every hop (protocol.md §1).
 *
 * Everything is derived deterministically from the function's namespace and name.
 */
import type {
  V1Container,
  V1EnvVar,
  V1PodSpec,
  V1PodTemplateSpec,
  V1SecurityContext,
  V1Volume,
} from '@kubernetes/client-node';
import { digestFrom, fnv1a, safeEncode, uuidFrom } from './hash.js';

export interface FunctionIdentity {
  readonly namespace: string;
  readonly name: string;
}

/** The names and uids Knative derives for a function's first revision. */
interface RevisionNames {
  readonly service: string;
  readonly revision: string;
  readonly serviceUid: string;
  readonly configurationUid: string;
  readonly revisionUid: string;
}

export const revisionNames = (fn: FunctionIdentity): RevisionNames => ({
  service: fn.name,
  revision: `${fn.name}-00001`,
  serviceUid: uuidFrom(`${fn.namespace}/${fn.name}/service`),
  configurationUid: uuidFrom(`${fn.namespace}/${fn.name}/configuration`),
  revisionUid: uuidFrom(`${fn.namespace}/${fn.name}/revision`),
});

/** The labels Knative puts on the revision's Deployment and on its pod template. */
export const knativeLabels = (names: RevisionNames): Record<string, string> => ({
  app: names.revision,
  'serving.knative.dev/configuration': names.service,
  'serving.knative.dev/configurationGeneration': '1',
  'serving.knative.dev/configurationUID': names.configurationUid,
  'serving.knative.dev/revision': names.revision,
  'serving.knative.dev/revisionUID': names.revisionUid,
  'serving.knative.dev/service': names.service,
  'serving.knative.dev/serviceUID': names.serviceUid,
});

const knativeTemplateAnnotations = (): Record<string, string> => ({
  'autoscaling.knative.dev/class': 'kpa.autoscaling.knative.dev',
  'autoscaling.knative.dev/metric': 'concurrency',
  'autoscaling.knative.dev/target': '1',
  'autoscaling.knative.dev/min-scale': '0',
  'serving.knative.dev/creator': 'kubernetes-admin',
  'serving.knative.dev/routes': 'route.serving.knative.dev/hello',
  'features.knative.dev/queueproxy-podinfo': 'disabled',
});

export const knativeTemplate = (fn: FunctionIdentity): V1PodTemplateSpec => {
  const names = revisionNames(fn);
  return {
    metadata: { labels: knativeLabels(names), annotations: knativeTemplateAnnotations() },
    spec: podSpec(fn, names),
  };
};

/** Knative's log volume, mounted into both containers when log collection is enabled. */
const VAR_LOG_VOLUME = 'knative-var-log';
const varLogMount = { mountPath: '/var/log', name: VAR_LOG_VOLUME };

const tokenVolumeName = (fn: FunctionIdentity): string =>
  `kube-api-access-${safeEncode(fnv1a(`${fn.namespace}/${fn.name}`)).slice(0, 5)}`;

const podSpec = (fn: FunctionIdentity, names: RevisionNames): V1PodSpec => ({
  containers: [userContainer(fn, names), queueProxy(fn, names)],
  dnsPolicy: 'ClusterFirst',
  enableServiceLinks: false,
  preemptionPolicy: 'PreemptLowerPriority',
  priority: 0,
  restartPolicy: 'Always',
  schedulerName: 'default-scheduler',
  securityContext: {},
  serviceAccount: 'default',
  serviceAccountName: 'default',
  terminationGracePeriodSeconds: 300,
  tolerations: [
    notReadyToleration('node.kubernetes.io/not-ready'),
    notReadyToleration('node.kubernetes.io/unreachable'),
  ],
  volumes: [{ emptyDir: {}, name: VAR_LOG_VOLUME }, serviceAccountVolume(tokenVolumeName(fn))],
});

const notReadyToleration = (key: string) => ({
  effect: 'NoExecute',
  key,
  operator: 'Exists',
  tolerationSeconds: 300,
});

const serviceAccountVolume = (name: string): V1Volume => ({
  name,
  projected: {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { items: [{ key: 'ca.crt', path: 'ca.crt' }], name: 'kube-root-ca.crt' } },
      {
        downwardAPI: {
          items: [
            { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' },
          ],
        },
      },
    ],
  },
});

const serviceAccountMount = (fn: FunctionIdentity) => ({
  mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
  name: tokenVolumeName(fn),
  readOnly: true,
});

const restrictedSecurityContext = (): V1SecurityContext => ({
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  seccompProfile: { type: 'RuntimeDefault' },
});

const userContainer = (fn: FunctionIdentity, names: RevisionNames): V1Container => ({
  env: [
    ...functionEnv(fn),
    { name: 'PORT', value: '8080' },
    { name: 'K_REVISION', value: names.revision },
    { name: 'K_CONFIGURATION', value: names.service },
    { name: 'K_SERVICE', value: names.service },
  ],
  image: `ghcr.io/kubedirect/functions/${fn.name}@sha256:${digestFrom(`${fn.namespace}/${fn.name}`)}`,
  imagePullPolicy: 'IfNotPresent',
  livenessProbe: {
    failureThreshold: 3,
    httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' },
    initialDelaySeconds: 0,
    periodSeconds: 10,
    successThreshold: 1,
    timeoutSeconds: 1,
  },
  lifecycle: {
    preStop: { httpGet: { path: '/wait-for-drain', port: 8022, scheme: 'HTTP' } },
  },
  name: 'user-container',
  ports: [{ containerPort: 8080, name: 'user-port', protocol: 'TCP' }],
  resources: {
    limits: { cpu: '1', memory: '512Mi' },
    requests: { cpu: '250m', memory: '128Mi' },
  },
  securityContext: restrictedSecurityContext(),
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'FallbackToLogsOnError',
  volumeMounts: [varLogMount, serviceAccountMount(fn)],
});

/** What a function's owner typically configures: handler, limits, telemetry. */
const functionEnv = (fn: FunctionIdentity): V1EnvVar[] => [
  { name: 'TARGET', value: `KubeDirect function ${fn.name}` },
  { name: 'FUNCTION_NAME', value: fn.name },
  { name: 'FUNCTION_NAMESPACE', value: fn.namespace },
  { name: 'FUNCTION_HANDLER', value: 'handler.main' },
  { name: 'FUNCTION_RUNTIME', value: 'go1.22' },
  { name: 'FUNCTION_TIMEOUT_SECONDS', value: '300' },
  { name: 'MAX_REQUEST_BODY_BYTES', value: '6291456' },
  { name: 'READ_TIMEOUT', value: '60s' },
  { name: 'WRITE_TIMEOUT', value: '60s' },
  { name: 'LOG_LEVEL', value: 'info' },
  { name: 'OTEL_SERVICE_NAME', value: `${fn.name}.${fn.namespace}` },
  {
    name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    value: 'http://otel-collector.observability.svc.cluster.local:4317',
  },
  {
    name: 'OTEL_RESOURCE_ATTRIBUTES',
    value: `service.namespace=${fn.namespace},deployment.environment=production`,
  },
  fieldEnv('POD_NAME', 'metadata.name'),
  fieldEnv('POD_NAMESPACE', 'metadata.namespace'),
  limitEnv('GOMAXPROCS', 'limits.cpu', '1'),
  limitEnv('GOMEMLIMIT', 'limits.memory', '1'),
];

/** An env var set from the user container's own resource limits (downward API). */
const limitEnv = (name: string, resource: string, divisor: string): V1EnvVar => ({
  name,
  valueFrom: { resourceFieldRef: { containerName: 'user-container', divisor, resource } },
});

const QUEUE_IMAGE = `gcr.io/knative-releases/knative.dev/serving/cmd/queue@sha256:${digestFrom('queue-proxy')}`;

const queueProxy = (fn: FunctionIdentity, names: RevisionNames): V1Container => ({
  env: queueProxyEnv(fn, names),
  image: QUEUE_IMAGE,
  imagePullPolicy: 'IfNotPresent',
  name: 'queue-proxy',
  ports: [
    { containerPort: 8022, name: 'http-queueadm', protocol: 'TCP' },
    { containerPort: 9090, name: 'http-autometric', protocol: 'TCP' },
    { containerPort: 9091, name: 'http-usermetric', protocol: 'TCP' },
    { containerPort: 8012, name: 'queue-port', protocol: 'TCP' },
    { containerPort: 8112, name: 'https-port', protocol: 'TCP' },
  ],
  readinessProbe: {
    failureThreshold: 3,
    httpGet: {
      httpHeaders: [{ name: 'K-Network-Probe', value: 'queue' }],
      path: '/',
      port: 8012,
      scheme: 'HTTP',
    },
    periodSeconds: 10,
    successThreshold: 1,
    timeoutSeconds: 1,
  },
  resources: { requests: { cpu: '25m' } },
  securityContext: restrictedSecurityContext(),
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
  volumeMounts: [varLogMount, serviceAccountMount(fn)],
});

/** Knative's default zap logging configuration, which queue-proxy receives verbatim. */
const LOGGING_CONFIG = JSON.stringify(
  {
    level: 'info',
    development: false,
    outputPaths: ['stdout'],
    errorOutputPaths: ['stderr'],
    encoding: 'json',
    encoderConfig: {
      timeKey: 'timestamp',
      levelKey: 'severity',
      nameKey: 'logger',
      callerKey: 'caller',
      messageKey: 'message',
      stacktraceKey: 'stacktrace',
      lineEnding: '',
      levelEncoder: '',
      timeEncoder: 'iso8601',
      durationEncoder: '',
      callerEncoder: '',
    },
  },
  null,
  2,
);

const REQUEST_LOG_TEMPLATE =
  '{"httpRequest": {"requestMethod": "{{.Request.Method}}", "requestUrl": "{{js .Request.RequestURI}}", ' +
  '"requestSize": "{{.Request.ContentLength}}", "status": {{.Response.Code}}, "responseSize": "{{.Response.Size}}", ' +
  '"userAgent": "{{js .Request.UserAgent}}", "remoteIp": "{{js .Request.RemoteAddr}}", "serverIp": "{{.Revision.PodIP}}", ' +
  '"referer": "{{js .Request.Referer}}", "latency": "{{.Response.Latency}}s", "protocol": "{{.Request.Proto}}"}, ' +
  '"traceId": "{{index .Request.Header "X-B3-Traceid"}}"}';

const fieldEnv = (name: string, fieldPath: string): V1EnvVar => ({
  name,
  valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } },
});

const queueProxyEnv = (fn: FunctionIdentity, names: RevisionNames): V1EnvVar[] => [
  { name: 'SERVING_NAMESPACE', value: fn.namespace },
  { name: 'SERVING_SERVICE', value: names.service },
  { name: 'SERVING_CONFIGURATION', value: names.service },
  { name: 'SERVING_REVISION', value: names.revision },
  { name: 'QUEUE_SERVING_PORT', value: '8012' },
  { name: 'QUEUE_SERVING_TLS_PORT', value: '8112' },
  { name: 'CONTAINER_CONCURRENCY', value: '0' },
  { name: 'REVISION_TIMEOUT_SECONDS', value: '300' },
  { name: 'REVISION_RESPONSE_START_TIMEOUT_SECONDS', value: '0' },
  { name: 'REVISION_IDLE_TIMEOUT_SECONDS', value: '0' },
  fieldEnv('SERVING_POD', 'metadata.name'),
  fieldEnv('SERVING_POD_IP', 'status.podIP'),
  { name: 'SERVING_LOGGING_CONFIG', value: LOGGING_CONFIG },
  { name: 'SERVING_LOGGING_LEVEL' },
  { name: 'SERVING_REQUEST_LOG_TEMPLATE', value: REQUEST_LOG_TEMPLATE },
  { name: 'SERVING_ENABLE_REQUEST_LOG', value: 'false' },
  { name: 'SERVING_REQUEST_METRICS_BACKEND', value: 'prometheus' },
  { name: 'SERVING_REQUEST_METRICS_REPORTING_PERIOD_SECONDS', value: '5' },
  { name: 'TRACING_CONFIG_BACKEND', value: 'none' },
  { name: 'TRACING_CONFIG_ZIPKIN_ENDPOINT' },
  { name: 'TRACING_CONFIG_DEBUG', value: 'false' },
  { name: 'TRACING_CONFIG_SAMPLE_RATE', value: '0.1' },
  { name: 'USER_PORT', value: '8080' },
  { name: 'SYSTEM_NAMESPACE', value: 'knative-serving' },
  { name: 'METRICS_DOMAIN', value: 'knative.dev/internal/serving' },
  {
    name: 'SERVING_READINESS_PROBE',
    value: '{"tcpSocket":{"port":8080,"host":"127.0.0.1"},"successThreshold":1}',
  },
  { name: 'ENABLE_PROFILING', value: 'false' },
  { name: 'SERVING_ENABLE_PROBE_REQUEST_LOG', value: 'false' },
  { name: 'METRICS_COLLECTOR_ADDRESS' },
  fieldEnv('HOST_IP', 'status.hostIP'),
  { name: 'ENABLE_HTTP2_AUTO_DETECTION', value: 'false' },
  { name: 'ENABLE_HTTP_FULL_DUPLEX', value: 'false' },
  { name: 'ROOT_CA' },
  { name: 'ENABLE_MULTI_CONTAINER_PROBES', value: 'false' },
  { name: 'OBSERVABILITY_CONFIG_REQUEST_METRICS_PROTOCOL', value: 'prometheus' },
];
