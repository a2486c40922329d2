// Why a test that needs the native (OpenBLAS) addon skips here, naming the Debian packages that build it.
import { nativeAvailability } from '../../src/compute/index.js';

/** The skip reason for a test that needs the native addon, or false where it loaded or MEDTL_REQUIRE_NATIVE=1 makes a missing addon a failure. */
export function nativeSkipReason(): string | false {
  const load = nativeAvailability();
  if (load.ok || process.env.MEDTL_REQUIRE_NATIVE === '1') return false;
  return `native addon unavailable: ${load.reason} (Debian: apt-get install libopenblas-dev pkg-config g++ make, then npm run build:native)`;
}
