/*
 * Run a command and report its own wall time and peak memory, as /usr/bin/time does.
 *
 * usage: rusage RESULT CMD [ARG...]
 * writes "SECONDS MAXRSS_KIB STATUS" to the file RESULT and exits with CMD's status.
 *
 * Why not wait4() from the Python harness directly: Linux carries ru_maxrss across execve(),
 * so a child spawned by a big process reports at least that process's peak. Forked from this
 * small program, the command's figure starts near zero.
 */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage usage;
	int status, code;
	FILE *result;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: %s RESULT CMD [ARG...]\n", argv[0]);
		return 125;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 125;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &usage) < 0) {
		perror("wait4");
		return 125;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	result = fopen(argv[1], "w");
	if (!result) {
		perror(argv[1]);
		return 125;
	}
	fprintf(result, "%.9f %ld %d\n",
		(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, usage.ru_maxrss, code);
	fclose(result);
	return code;
}
