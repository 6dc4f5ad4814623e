// How often a live rollout is reported (the tracer) and drawn (the view): 4 times a second for a
// small rollout, once a second from 300 pods. A report of n pods costs about 0.4 KB a pod to send
// and the view about 0.1-0.3 ms a pod to draw (bench sections rollout-view and rollout-host: 120 KB
// and 27-82 ms for 300 pods), so a rollout's share of the editor's time stays small whatever its
// size, while its rows still move every second.

export function rolloutReportEveryMs(pods: number): number {
  if (pods <= 50) return 250;
  if (pods < 300) return 500;
  return 1000;
}
