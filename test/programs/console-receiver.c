/* console-receiver SOCKET [INPUT]: the other end of a runtime's --console-socket, as
 * containerd's shim is. Listens on SOCKET, takes the pty master a runtime sends there
 * (SCM_RIGHTS), writes INPUT to it, then copies everything the container prints to stdout
 * until the pty's other side is closed (EIO). Prints the name the runtime sent first, on
 * stderr. Deterministic: one connection, one descriptor. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  char name[256] = "", control[CMSG_SPACE (sizeof (int))], buf[4096];
  struct iovec iov = { .iov_base = name, .iov_len = sizeof (name) - 1 };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof (control) };
  struct cmsghdr *cm;
  int listener, conn, master = -1;
  ssize_t n;

  if (argc < 2 || strlen (argv[1]) >= sizeof (addr.sun_path))
    {
      fprintf (stderr, "usage: console-receiver SOCKET [INPUT]\n");
      return 2;
    }
  strcpy (addr.sun_path, argv[1]);
  listener = socket (AF_UNIX, SOCK_STREAM, 0);
  if (listener < 0 || bind (listener, (struct sockaddr *) &addr, sizeof (addr)) < 0 || listen (listener, 1) < 0)
    {
      perror ("console-receiver: listen");
      return 1;
    }
  conn = accept (listener, NULL, NULL);
  if (conn < 0 || (n = recvmsg (conn, &mh, 0)) < 0)
    {
      perror ("console-receiver: receive");
      return 1;
    }
  name[n] = '\0';
  for (cm = CMSG_FIRSTHDR (&mh); cm; cm = CMSG_NXTHDR (&mh, cm))
    if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
      memcpy (&master, CMSG_DATA (cm), sizeof (int));
  if (master < 0)
    {
      fprintf (stderr, "console-receiver: no descriptor came\n");
      return 1;
    }
  fprintf (stderr, "console-receiver: got %s\n", name);
  close (conn);
  close (listener);
  unlink (argv[1]);
  if (argc > 2 && write (master, argv[2], strlen (argv[2])) < 0)
    perror ("console-receiver: write");
  while ((n = read (master, buf, sizeof (buf))) > 0 || (n < 0 && errno == EINTR))
    if (n > 0 && write (1, buf, n) != n)
      return 1;
  return 0;
}
