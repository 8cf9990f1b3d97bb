import { expect, it } from '@jest/globals';
import { PartitionProgress } from './partition-progress';

it('calls a partition stuck only with lag and no progress for the whole window', () => {
  let now = 1_000;
  const progress = new PartitionProgress(60_000, () => now);
  progress.assigned({ inbound: [0, 1] });
  progress.fetched('inbound', 0, '10', '5');
  now += 59_999;
  expect(progress.stuck()).toEqual([]);
  now += 1;
  expect(progress.stuck()).toEqual([{ topic: 'inbound', partition: 0, lag: 5, stalledMs: 60_000 }]);
  progress.committed('inbound', 0, '10', '6');
  expect(progress.stuck()).toEqual([]);
  // Caught up: idle for an hour is not stuck, and new work starts the clock afresh.
  progress.committed('inbound', 0, '10', '10');
  now += 3_600_000;
  expect(progress.stuck()).toEqual([]);
  progress.fetched('inbound', 0, '11', '10');
  expect(progress.stuck()).toEqual([]);
  now += 60_000;
  expect(progress.stuck().map((p) => p.partition)).toEqual([0]);
});

it('keeps the history of partitions that stay assigned and forgets the others', () => {
  let now = 0;
  const progress = new PartitionProgress(1_000, () => now);
  progress.assigned({ inbound: [0, 1] });
  progress.fetched('inbound', 0, '3', '0');
  progress.fetched('inbound', 1, '3', '0');
  now = 5_000;
  progress.assigned({ inbound: [0] });
  expect(progress.stuck().map((p) => p.partition)).toEqual([0]);
  expect(progress.all().map((p) => p.partition)).toEqual([0]);
});
