/**
 * Runs several ways of saving interleaved, in small batches, after a warm-up, and
 * reports per save the median and p90, the overhead against a paired baseline (the
 * median over rounds of each batch's median against the same round's batch of the
 * baseline, so load that drifts between rounds cancels out) and the process CPU time
 * (less sensitive to disk waits than wall time). Shared by the measuring scripts.
 */

/** One way of saving. */
export interface Contender {
  readonly name: string;
  readonly save: () => Promise<unknown>;
  /** Runs after each batch, inside its CPU and wall time but outside the per-save times (e.g. writing queued acknowledgements). */
  readonly afterBatch?: () => Promise<unknown>;
  /** The contender it is paired with, or `undefined` for a baseline itself. */
  readonly baseline: Contender | undefined;
}

/** What was measured of one contender. */
export interface ContenderFigures {
  readonly name: string;
  readonly medianMs: number;
  readonly p90Ms: number;
  /** Paired median overhead against the baseline, in %, or `undefined` for a baseline. */
  readonly overheadPercent: number | undefined;
  /** Wall time per save including `afterBatch`, in ms. */
  readonly batchMsPerSave: number;
  /** Process CPU time per save (user + system), including `afterBatch`, in µs. */
  readonly cpuMicrosPerSave: number;
}

/** How long to measure. */
export interface InterleavedOptions {
  readonly saves: number;
  readonly batch?: number;
  readonly warmup?: number;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/** Measures the contenders interleaved; the order rotates every round, so none always follows the same one. */
export async function measureInterleaved(
  contenders: readonly Contender[],
  { saves, batch = 10, warmup = 100 }: InterleavedOptions,
): Promise<ContenderFigures[]> {
  const times = contenders.map(() => [] as number[]);
  const ratios = contenders.map(() => [] as number[]);
  const cpu = contenders.map(() => 0);
  const wall = contenders.map(() => 0);
  for (const contender of contenders) {
    for (let i = 0; i < warmup; i++) await contender.save();
    await contender.afterBatch?.();
  }
  for (let round = 0; round < saves / batch; round++) {
    const batchMedians: number[] = [];
    for (let k = 0; k < contenders.length; k++) {
      const index = (round + k) % contenders.length;
      const contender = contenders[index] as Contender;
      const batchTimes: number[] = [];
      const cpuStart = process.cpuUsage();
      const wallStart = process.hrtime.bigint();
      for (let i = 0; i < batch; i++) {
        const started = process.hrtime.bigint();
        await contender.save();
        batchTimes.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      await contender.afterBatch?.();
      wall[index] = (wall[index] as number) + Number(process.hrtime.bigint() - wallStart) / 1e6;
      const used = process.cpuUsage(cpuStart);
      cpu[index] = (cpu[index] as number) + used.user + used.system;
      times[index]?.push(...batchTimes);
      batchMedians[index] = quantile(
        batchTimes.sort((a, b) => a - b),
        0.5,
      );
    }
    contenders.forEach((contender, index) => {
      if (contender.baseline === undefined) return;
      const baseline = batchMedians[contenders.indexOf(contender.baseline)] as number;
      ratios[index]?.push((batchMedians[index] as number) / baseline);
    });
  }
  return contenders.map((contender, index) => {
    const sorted = [...(times[index] as number[])].sort((a, b) => a - b);
    const ratio = quantile(
      [...(ratios[index] as number[])].sort((a, b) => a - b),
      0.5,
    );
    return {
      name: contender.name,
      medianMs: quantile(sorted, 0.5),
      p90Ms: quantile(sorted, 0.9),
      overheadPercent: contender.baseline === undefined ? undefined : (ratio - 1) * 100,
      batchMsPerSave: (wall[index] as number) / sorted.length,
      cpuMicrosPerSave: (cpu[index] as number) / sorted.length,
    };
  });
}

/** The figures as a Markdown table, with extra columns per contender. */
export function figuresTable(
  figures: readonly ContenderFigures[],
  extra: { readonly header: string; readonly value: (name: string) => string } | undefined = undefined,
): string {
  const lines = [
    `| save | median | p90 | overhead (paired median) | per save, with after-batch work | CPU per save |${extra ? ` ${extra.header} |` : ''}`,
    `| --- | ---: | ---: | ---: | ---: | ---: |${extra ? ' ---: |' : ''}`,
  ];
  for (const row of figures) {
    const overhead = row.overheadPercent === undefined ? '' : `${row.overheadPercent.toFixed(1)}%`;
    lines.push(
      `| ${row.name} | ${row.medianMs.toFixed(3)} ms | ${row.p90Ms.toFixed(3)} ms | ${overhead} | ${row.batchMsPerSave.toFixed(3)} ms | ${row.cpuMicrosPerSave.toFixed(0)} µs |${extra ? ` ${extra.value(row.name)} |` : ''}`,
    );
  }
  return lines.join('\n');
}
