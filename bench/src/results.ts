import type { MachineInfo } from './machine';
import type { BreakEvenResult } from './scenarios/break-even';
import type { FloorAtN } from './scenarios/floor';
import type { HttpResult } from './scenarios/http';
import type { KeyCopiesResult } from './scenarios/key-copies';
import type { PageStatesAtN } from './scenarios/page-states';
import type { SavesResult } from './scenarios/saves';

/** Everything one run of the benchmarks measured. */
export interface BenchResults {
  readonly machine: MachineInfo;
  /** `full` (`pnpm bench`) or `smoke`. */
  readonly scale: string;
  /** How the measured code ran: bundled like the published packages, or from source through tsx. */
  readonly runtime: string;
  readonly durationSeconds: number;
  /** 1-minute load average when the run ended. */
  readonly loadAtEnd: number;
  readonly pages: readonly PageStatesAtN[];
  readonly floor: readonly FloorAtN[];
  readonly saves: SavesResult;
  readonly http: HttpResult;
  /** The same at a larger N, without the naive app (absent in results written before it was measured). */
  readonly httpLarge?: HttpResult;
  readonly breakEven: BreakEvenResult;
  /** Whether the blog ran with comments within their article (WITHIN, its default; absent in results written before it was recorded). */
  readonly within?: boolean;
  /** Key copies on two memcached servers (absent in results written before it was measured). */
  readonly keyCopies?: KeyCopiesResult;
}
