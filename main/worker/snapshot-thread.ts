// A worker thread that does one snapshot job (main/snapshot/jobs.ts) and answers once: a capture or a
// comparison reads or writes a whole database, and the process that answers the window must not wait
// on it. The job arrives as workerData; the answer carries the result or the error (class, message).
import { parentPort, workerData } from 'node:worker_threads';
import { encodeError, runJob, type JobAnswer, type SnapshotJob } from '../snapshot/jobs.ts';

if (!parentPort) throw new Error('snapshot-thread runs as a worker thread (main/snapshot/jobs.ts inThread)');
let answer: JobAnswer;
try {
  answer = { ok: true, value: runJob(workerData as SnapshotJob) };
} catch (e) {
  answer = { ok: false, error: encodeError(e) };
}
parentPort.postMessage(answer);
