/* Test program for the engine's copy of execve's argv (test/argv-capture.test.ts). Two execve
 * calls that fail, each with an argv the copy could get wrong:
 *   1. ENOENT: a pointer array that crosses a page boundary and is longer than one batch of
 *      the engine's reads, a 300-byte string, an empty string, and a string whose NUL is the
 *      last byte of a page that an unmapped page follows;
 *   2. EFAULT: a bad pointer in the middle of argv.
 * The test knows the same argv and compares it with what the trace decoded. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

enum { NUMBERED = 90 };

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *area = mmap(NULL, 4 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		return 2;
	munmap(area + 3 * page, (size_t)page);
	char *edge = area + 3 * page - 5; /* "edge" and its NUL end the third page */
	memcpy(edge, "edge", 5);
	char *long_string = area + 64;
	memset(long_string, 'L', 300);
	long_string[300] = '\0';
	char **argv = (char **)(area + page - 10 * sizeof(char *)); /* 10 pointers before the boundary */
	int n = 0;
	argv[n++] = "first";
	argv[n++] = long_string;
	argv[n++] = "";
	argv[n++] = edge;
	char *numbers = area + 2 * page;
	for (int i = 0; i < NUMBERED; i++) {
		int length = sprintf(numbers, "n%d", i);
		argv[n++] = numbers;
		numbers += length + 1;
	}
	argv[n] = NULL;
	char *envp[] = { NULL };
	execve("/nonexistent/cttrace-argv-test", argv, envp);
	char *bad[] = { "before", (char *)16, "after", NULL };
	execve("/bin/true", bad, envp); /* a file that exists: the kernel gets as far as copying argv */
	return 0;
}
