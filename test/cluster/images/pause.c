/* Minimal pod sandbox ("pause") process for the local test cluster's registry.k8s.io/pause image:
 * exits 0 on SIGINT/SIGTERM, reaps children (it is PID 1 of the pod when the PID namespace is
 * shared) and otherwise sleeps. Built with `gcc -Os -static -s` by test/cluster/up.sh. */
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_term(int sig) { (void)sig; _exit(0); }

static void on_chld(int sig) {
  (void)sig;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
}

int main(void) {
  struct sigaction sa = {0};
  sa.sa_handler = on_term;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sa.sa_handler = on_chld;
  sa.sa_flags = SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, NULL);
  for (;;) pause();
  return 0;
}
