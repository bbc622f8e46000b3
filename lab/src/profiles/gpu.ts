// The `gpu` profile's objects: device-plugin GPUs (NVIDIA whole, MIG mixed, time-sliced; AMD), DRA
// (DeviceClass, ResourceSlices, claims allocated by the real scheduler), and demand that does not fit.
import type { KObj } from '../kube.ts';
import { draSlice, type LabNode } from './nodes.ts';
import { AMD_TOLERATION, deployment, GPU_TOLERATION, job, ns, event, SEED_LATE, type PodOpts } from './builders.ts';

const PYTORCH = 'nvcr.io/nvidia/pytorch:25.08-py3';

/** Pod options for cpu, memory and `count` devices of a device-plugin resource (requested and limited alike). */
function devices(resource: string, count: number, cpu: string, memory: string): Pick<PodOpts, 'requests' | 'limits'> {
  return { requests: { cpu, memory, [resource]: String(count) }, limits: { [resource]: String(count) } };
}

/** A DRA device request for `count` GPUs of the gpu.nvidia.com class. */
function gpuRequest(name: string, count: number): KObj {
  return { name, exactly: { deviceClassName: 'gpu.nvidia.com', allocationMode: 'ExactCount', count } };
}

export function gpuObjects(nodes: LabNode[]): { early: KObj[]; objects: KObj[]; events: KObj[] } {
  const count = (k: LabNode['kind']) => nodes.filter((n) => n.kind === k).length;
  const H = count('h100');
  const A = count('a100');
  const M = count('mig');
  const T = count('timeslice');
  const R = count('mi300');
  const D = count('dra');
  const early: KObj[] = [ns('ml-serving', { team: 'ml-platform' }), ns('ml-training', { team: 'research' })];
  const objects: KObj[] = [];
  const events: KObj[] = [];
  const nv = [GPU_TOLERATION];
  const onH100 = { nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' }, tolerations: nv };

  if (H > 0) {
    // 2H-1 replicas x 4 GPUs: every H100 node but one is full, that one has 4 free.
    const finetune = job(
      'ml-training',
      'finetune-70b',
      2,
      { image: PYTORCH, ...devices('nvidia.com/gpu', 8, '32', '512Gi'), ...onH100, longRunning: true },
      true,
    );
    finetune.metadata.annotations[SEED_LATE] = 'true';
    objects.push(
      deployment('ml-serving', 'llm-inference', 2 * H - 1, {
        image: 'nvcr.io/nvidia/tritonserver:25.08-py3',
        ...devices('nvidia.com/gpu', 4, '16', '128Gi'),
        ...onH100,
        sidecar: true,
      }),
      // Needs 8 H100s per pod on one node: none has 8 free, so both pods stay Pending (queued demand).
      finetune,
    );
  }
  if (A > 0) {
    // Fills every whole-GPU A100 node.
    objects.push(
      job('ml-training', 'pretrain-7b', A, {
        image: PYTORCH,
        ...devices('nvidia.com/gpu', 8, '48', '640Gi'),
        nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB', 'nvidia.com/mig.strategy': 'none' },
        tolerations: nv,
        longRunning: true,
        initContainer: true,
      }),
    );
  }
  if (M > 0) {
    objects.push(
      deployment('ml-serving', 'embeddings', 12 * M, { ...devices('nvidia.com/mig-1g.10gb', 1, '2', '16Gi'), tolerations: nv }),
      deployment('ml-serving', 'reranker', 3 * M, { ...devices('nvidia.com/mig-3g.40gb', 1, '4', '32Gi'), tolerations: nv }),
    );
  }
  if (T > 0) {
    objects.push(
      deployment('ml-serving', 'notebooks', 12 * T, {
        image: 'quay.io/jupyter/pytorch-notebook:cuda12-2025-10-01',
        ...devices('nvidia.com/gpu', 1, '1', '8Gi'),
        nodeSelector: { 'nvidia.com/gpu.sharing-strategy': 'time-slicing' },
        tolerations: nv,
      }),
    );
  }
  if (R > 0) {
    objects.push(
      deployment('ml-training', 'rocm-train', 2 * R - 1, {
        image: 'rocm/pytorch:rocm6.4_ubuntu24.04_py3.12_pytorch_release_2.6.0',
        ...devices('amd.com/gpu', 4, '24', '400Gi'),
        tolerations: [AMD_TOLERATION],
      }),
    );
  }
  if (D > 0) {
    early.push({
      apiVersion: 'resource.k8s.io/v1',
      kind: 'DeviceClass',
      metadata: { name: 'gpu.nvidia.com' },
      spec: { selectors: [{ cel: { expression: "device.driver == 'gpu.nvidia.com'" } }] },
    });
    for (const n of nodes.filter((x) => x.kind === 'dra')) objects.push(draSlice(n));
    objects.push(
      {
        apiVersion: 'resource.k8s.io/v1',
        kind: 'ResourceClaimTemplate',
        metadata: { name: 'single-h200', namespace: 'ml-training' },
        spec: { spec: { devices: { requests: [gpuRequest('gpu', 1)] } } },
      },
      {
        // One claim of two GPUs shared by two pods: reservedFor lists both.
        apiVersion: 'resource.k8s.io/v1',
        kind: 'ResourceClaim',
        metadata: { name: 'shared-h200-pair', namespace: 'ml-training' },
        spec: { devices: { requests: [gpuRequest('gpus', 2)] } },
      },
      {
        // Allocated by nobody yet: no pod uses it (shows as allocated: no, in use: no).
        apiVersion: 'resource.k8s.io/v1',
        kind: 'ResourceClaim',
        metadata: { name: 'reserved-for-benchmark', namespace: 'ml-training' },
        spec: { devices: { requests: [gpuRequest('gpu', 1)] } },
      },
      deployment('ml-training', 'dra-inference', 3 * D, {
        requests: { cpu: '8', memory: '64Gi' },
        resourceClaims: [{ name: 'gpu', resourceClaimTemplateName: 'single-h200' }],
        claimNames: ['gpu'],
        tolerations: nv,
      }),
      deployment('ml-training', 'dra-shared', 2, {
        requests: { cpu: '8', memory: '64Gi' },
        resourceClaims: [{ name: 'gpus', resourceClaimName: 'shared-h200-pair' }],
        claimNames: ['gpus'],
        tolerations: nv,
      }),
    );
  }
  // The operator of the GPU stack runs on CPU nodes.
  objects.push(deployment('ml-serving', 'model-gateway', 2, { requests: { cpu: '500m', memory: '512Mi' } }));
  if (A + H > 0) {
    const gpuNode = nodes.find((n) => n.kind === 'a100' || n.kind === 'h100')!;
    events.push(
      event(
        { kind: 'Node', name: gpuNode.name },
        'Warning',
        'GPUXidError',
        'NVIDIA Xid 79 on GPU 3 (00000000:8A:00.0): GPU has fallen off the bus',
        'dcgm-exporter',
        2,
      ),
    );
  }
  return { early, objects, events };
}
