// Initialises the compute backend from the global --backend flag (or UGP_BACKEND).
import type { BackendInfo, BackendName } from '@ugpnet/tensor';

export async function useBackend(argv: { backend?: string }): Promise<BackendInfo> {
  const { initBackend, parseBackendName } = await import('@ugpnet/tensor');
  const backend: BackendName | 'auto' | undefined =
    argv.backend === undefined || argv.backend === 'auto'
      ? undefined
      : parseBackendName(argv.backend, '--backend');
  return initBackend(backend ? { backend } : {});
}
