/**
 * Mutants whose hazard the implementation's environment rules out: no schedule can show
 * it, because the API Server (with Kubernetes' semantics) refuses or ignores the write the
 * mutant makes. `kd mutants` reports them as `prevented` with the reason instead of as a
 * miss, still runs their campaign, and fails if one is ever caught (then the reason is
 * wrong). The test named here shows the prevention on the model's own counterexample.
 */
interface Prevented {
  readonly reason: string;
  readonly test: string;
}

export const PREVENTED: Readonly<Record<string, Prevented>> = {
  'ready-update-from-memory': {
    reason:
      "a write to pods/status changes only the status, and a stale resourceVersion gets 409 Conflict: the kubelet's whole in-memory copy can neither clear a deletion nor move or re-own a pod",
    test: 'checker/fuzz/mutants.test.ts (hazards the implementation cannot show)',
  },
};
