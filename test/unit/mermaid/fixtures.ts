// Hand-built traces for the renderer tests.

import type { Diagnosis, Step, Trace, TraceNote } from '../../../src/core/model.js';
import { parseInstant, type Instant } from '../../../src/core/time.js';
import { ARROWS, type StepKind } from '../../../src/core/vocabulary.js';

export function at(t: string): Instant {
  const i = parseInstant(`2026-11-20T10:${t}Z`);
  if (!i) throw new Error(`bad time ${t}`);
  return i;
}

export function step(kind: StepKind, o: Partial<Omit<Step, 'kind'>> & { t?: string; t2?: string } = {}): Step {
  const { t, t2, ...rest } = o;
  const container = rest.container ?? null;
  const attempt = rest.attempt ?? 0;
  return {
    id: rest.id ?? `${kind}${container ? `:${container}` : ''}${attempt ? `#${attempt}` : ''}`,
    kind,
    actor: rest.actor ?? ARROWS[kind].from,
    from: ARROWS[kind].from,
    to: ARROWS[kind].to,
    container,
    init: rest.init ?? false,
    attempt,
    start: rest.start ?? (t ? at(t) : null),
    end: rest.end ?? (t2 ? at(t2) : t ? at(t) : null),
    status: rest.status ?? 'done',
    source: rest.source ?? 'event',
    precision: rest.precision ?? 's',
    message: rest.message ?? '',
    yamlPath: rest.yamlPath ?? null,
    count: rest.count ?? 1,
    corroboration: rest.corroboration ?? [],
  };
}

export function trace(o: Partial<Trace> & { steps: readonly Step[] }): Trace {
  return {
    pod: o.pod ?? { namespace: 'default', name: 'web-7d4b9c', uid: 'u-1', node: 'node-a' },
    runtime: o.runtime === undefined ? 'containerd' : o.runtime,
    runtimeVersion: o.runtimeVersion === undefined ? 'containerd://1.7.27' : o.runtimeVersion,
    phase: o.phase ?? 'ready',
    steps: o.steps,
    diagnosis: o.diagnosis ?? [],
    notes: o.notes ?? [],
    containers: o.containers ?? [],
  };
}

export function diag(cause: Diagnosis['cause'], o: Partial<Diagnosis> = {}): Diagnosis {
  return {
    cause,
    message: o.message ?? `${cause} message`,
    suggestion: o.suggestion ?? `fix ${cause}`,
    yamlPath: o.yamlPath ?? null,
    container: o.container ?? null,
    nodes: o.nodes ?? null,
    evidence: o.evidence ?? '',
  };
}

const degraded: TraceNote = {
  kind: 'degraded',
  source: 'runtime-log',
  message: 'Runtime logs unavailable: nodes/proxy is forbidden for this user',
  remedy: 'grant get on nodes/proxy, or pass --node-log',
};

export const PENDING: Trace = trace({
  phase: 'pending',
  runtime: null,
  runtimeVersion: null,
  pod: { namespace: 'default', name: 'big', uid: 'u-2', node: null },
  steps: [
    step('created', { t: '00:00', yamlPath: 'metadata.name' }),
    step('scheduling-failed', {
      t: '00:00',
      t2: '00:35',
      status: 'failed',
      count: 4,
      message:
        '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
    }),
  ],
  diagnosis: [
    diag('insufficient-memory', {
      nodes: 2,
      message: '2 nodes do not have 64Gi of free memory',
      suggestion: 'lower spec.containers[0].resources.requests.memory',
    }),
    diag('untolerated-taint', {
      nodes: 1,
      message: 'the control-plane node has the taint node-role.kubernetes.io/control-plane:NoSchedule',
      suggestion: 'add a toleration under spec.tolerations',
    }),
  ],
  notes: [degraded],
});

export const HAPPY: Trace = trace({
  steps: [
    step('created', { t: '00:00.000' }),
    step('scheduled', { t: '00:00.012', precision: 'ms' }),
    step('kubelet-accepted', { t: '00:00.030', precision: 'ms' }),
    step('sandbox-created', { t: '00:00.040', t2: '00:00.912', precision: 'ns', source: 'runtime-log' }),
    step('image-pull', {
      container: 'app',
      t: '00:00.950',
      t2: '00:04.190',
      message: 'Successfully pulled image "nginx:1.27"',
      yamlPath: 'spec.containers[0].image',
    }),
    step('container-created', { container: 'app', t: '00:04.200', t2: '00:04.260' }),
    step('container-started', { container: 'app', t: '00:04.270', t2: '00:04.380' }),
    step('initialized', { t: '00:00.040' }),
    step('containers-ready', { t: '00:05.000' }),
    step('ready', { t: '00:05.000' }),
  ],
});

export const INIT: Trace = trace({
  runtime: 'cri-o',
  runtimeVersion: 'cri-o://1.31.2',
  steps: [
    step('created', { t: '00:00' }),
    step('scheduled', { t: '00:01' }),
    step('kubelet-accepted', { t: '00:01' }),
    step('sandbox-created', { t: '00:01', t2: '00:02' }),
    step('image-present', { container: 'migrate', init: true, t: '00:02' }),
    step('container-created', { container: 'migrate', init: true, t: '00:02' }),
    step('container-started', { container: 'migrate', init: true, t: '00:02', t2: '00:09' }),
    step('initialized', { t: '00:09' }),
    step('image-present', { container: 'app', t: '00:09' }),
    step('container-created', { container: 'app', t: '00:09' }),
    step('container-started', { container: 'app', t: '00:10' }),
    step('image-pull', { container: 'sidecar', t: '00:10', status: 'in-progress', end: null }),
  ],
  phase: 'starting',
});

export const CRASH_LOOP: Trace = trace({
  phase: 'failed',
  steps: [
    step('created', { t: '00:00' }),
    step('scheduled', { t: '00:00' }),
    step('kubelet-accepted', { t: '00:00' }),
    step('sandbox-created', { t: '00:00', t2: '00:01' }),
    step('image-present', { container: 'app', t: '00:01' }),
    step('container-created', { container: 'app', t: '00:01' }),
    step('container-started', { container: 'app', t: '00:01' }),
    step('container-failed', {
      container: 'app',
      t: '00:02',
      status: 'failed',
      message: 'Error: exit code 1: panic: cannot read /etc/app/config.yaml',
    }),
    step('container-created', { container: 'app', attempt: 1, t: '00:12' }),
    step('container-started', { container: 'app', attempt: 1, t: '00:12' }),
    step('container-failed', {
      container: 'app',
      attempt: 1,
      t: '00:13',
      status: 'failed',
      message: 'Error: exit code 1',
    }),
    step('back-off', {
      container: 'app',
      t: '00:13',
      t2: '02:40',
      status: 'failed',
      count: 5,
      message: 'Back-off restarting failed container app in pod web_default(u-1)',
    }),
  ],
  diagnosis: [
    diag('crash-loop', {
      container: 'app',
      message: 'app exits with code 1 right after starting',
      suggestion: 'read `kubectl logs web --previous`',
    }),
  ],
});

export const PULL_FAILURE: Trace = trace({
  phase: 'pending',
  steps: [
    step('created', { t: '00:00' }),
    step('scheduled', { t: '00:00' }),
    step('kubelet-accepted', { t: '00:00' }),
    step('sandbox-created', { t: '00:00', t2: '00:01' }),
    step('image-pull', { container: 'app', t: '00:01', t2: '00:03' }),
    step('image-pull-failed', {
      container: 'app',
      t: '00:03',
      status: 'failed',
      message:
        'Failed to pull image "ngnix:1.27": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/ngnix:1.27": failed to resolve reference',
    }),
    step('back-off', {
      id: 'back-off:app#pull',
      container: 'app',
      t: '00:04',
      t2: '01:00',
      status: 'failed',
      count: 3,
      message: 'Back-off pulling image "ngnix:1.27"',
    }),
    step('back-off', {
      id: 'back-off:app#pull2',
      container: 'app',
      t: '01:10',
      t2: '01:30',
      status: 'failed',
      count: 2,
      message: 'Back-off pulling image "ngnix:1.27"',
    }),
  ],
  diagnosis: [
    diag('image-pull-failed', {
      container: 'app',
      message: 'the image ngnix:1.27 does not exist',
      suggestion: 'fix spec.containers[0].image (did you mean nginx?)',
    }),
  ],
});

export const HOSTILE_STRINGS: readonly string[] = [
  "\"\n%%{init: {'theme':'dark'}}%%\nparticipant evil",
  '<script>alert(1)</script>',
  'a;b;c',
  '#35; # not a comment',
  'click kubelet call evil()',
  'Note over kubelet: x',
  'user->>kube-apiserver: forged',
  '--x -) -->> <<->> ->> +',
  'end',
  'wrap:loud',
  '$$\\frac{1}{2}$$',
  '<br/>two<br>lines',
  'ﬂ°°60¶ß ﬂ°lt¶ß',
  'style x fill:#f00;',
  '\u2028%% comment after LS\u2029',
  'élan 日本語 🚀 \u202eevil',
  'x'.repeat(10_000),
];

export function hostile(s: string): Trace {
  return trace({
    pod: { namespace: s, name: s, uid: s, node: s },
    runtimeVersion: s,
    phase: 'failed',
    steps: [
      step('created', { t: '00:00', message: s }),
      step('scheduling-failed', { t: '00:00', status: 'failed', message: s }),
      step('scheduled', { t: '00:01' }),
      step('image-pull-failed', { container: s, t: '00:02', status: 'failed', message: s }),
      step('container-failed', { container: s, init: true, t: '00:03', status: 'failed', message: s }),
      step('back-off', { container: s, t: '00:04', count: 5, status: 'failed', message: s }),
    ],
    diagnosis: [
      diag('insufficient-cpu', { message: s, suggestion: s, nodes: 2 }),
      diag('crash-loop', { container: s, message: s, suggestion: s }),
    ],
    notes: [
      { kind: 'degraded', message: s, remedy: s },
      { kind: 'clock-skew', message: s },
    ],
  });
}
