/* ebpf.c — see ebpf.h. The program, for a device access (type, access, major, minor):
 *
 *   r2 = ctx->access_type & 0xffff   (BPF_DEVCG_DEV_CHAR / _BLOCK)
 *   r3 = ctx->access_type >> 16      (BPF_DEVCG_ACC_MKNOD | _READ | _WRITE)
 *   r4 = ctx->major; r5 = ctx->minor
 *   for each rule, last first:  if it matches, return allow ? 1 : 0
 *   return 1
 */
#define _GNU_SOURCE
#include "ebpf.h"

#include <errno.h>
#include <stdbool.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "utils.h"

struct program
{
  struct bpf_insn *insns;
  size_t n, cap;
};

static size_t
emit (struct program *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
  if (p->n == p->cap)
    p->insns = xrealloc (p->insns, sizeof (struct bpf_insn) * (p->cap = p->cap ? p->cap * 2 : 64));
  memset (&p->insns[p->n], 0, sizeof (struct bpf_insn));
  p->insns[p->n].code = code;
  p->insns[p->n].dst_reg = dst;
  p->insns[p->n].src_reg = src;
  p->insns[p->n].off = off;
  p->insns[p->n].imm = imm;
  return p->n++;
}

/* "if rN != imm goto next-rule": the offset is patched when the rule ends. */
static size_t
emit_jne (struct program *p, uint8_t reg, int32_t imm)
{
  return emit (p, BPF_JMP | BPF_JNE | BPF_K, reg, 0, 0, imm);
}

/* Returns true if the rule matches every access (then nothing after it can run). */
static bool
emit_rule (struct program *p, const struct ctrun_device_rule *r)
{
  size_t jumps[4], n_jumps = 0;
  int32_t access = 0;

  if (r->type != 'a')
    jumps[n_jumps++] = emit_jne (p, 2, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
  for (const char *a = r->access; *a; a++)
    access |= *a == 'r' ? BPF_DEVCG_ACC_READ : *a == 'w' ? BPF_DEVCG_ACC_WRITE : BPF_DEVCG_ACC_MKNOD;
  if (access != (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD))
    {
      /* matches only if every requested access is in the rule: (r3 & ~access) == 0 */
      emit (p, BPF_ALU | BPF_MOV | BPF_X, 6, 3, 0, 0);
      emit (p, BPF_ALU | BPF_AND | BPF_K, 6, 0, 0, ~access);
      jumps[n_jumps++] = emit_jne (p, 6, 0);
    }
  if (r->major >= 0)
    jumps[n_jumps++] = emit_jne (p, 4, (int32_t) r->major);
  if (r->minor >= 0)
    jumps[n_jumps++] = emit_jne (p, 5, (int32_t) r->minor);
  emit (p, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, r->allow ? 1 : 0);
  emit (p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
  for (size_t i = 0; i < n_jumps; i++)
    p->insns[jumps[i]].off = (int16_t) (p->n - jumps[i] - 1);
  return n_jumps == 0;
}

int
ctrun_ebpf_attach_device_filter (const struct ctrun_device_rule *rules, size_t n_rules,
                                 const struct ctrun_device_rule *defaults, size_t n_defaults, int cgroup_fd,
                                 ctrun_error_t *err)
{
  struct program p = { 0 };
  cleanup_free struct bpf_insn *insns = NULL;
  cleanup_close int prog = -1;
  union bpf_attr attr;
  bool catch_all = false;

  emit (&p, BPF_LDX | BPF_W | BPF_MEM, 2, 1, offsetof (struct bpf_cgroup_dev_ctx, access_type), 0);
  emit (&p, BPF_ALU | BPF_AND | BPF_K, 2, 0, 0, 0xffff);
  emit (&p, BPF_LDX | BPF_W | BPF_MEM, 3, 1, offsetof (struct bpf_cgroup_dev_ctx, access_type), 0);
  emit (&p, BPF_ALU | BPF_RSH | BPF_K, 3, 0, 0, 16);
  emit (&p, BPF_LDX | BPF_W | BPF_MEM, 4, 1, offsetof (struct bpf_cgroup_dev_ctx, major), 0);
  emit (&p, BPF_LDX | BPF_W | BPF_MEM, 5, 1, offsetof (struct bpf_cgroup_dev_ctx, minor), 0);
  /* The verifier refuses unreachable code: stop after a rule that matches everything. */
  for (size_t i = n_defaults + n_rules; i-- > 0 && !catch_all;)
    catch_all = emit_rule (&p, i >= n_rules ? &defaults[i - n_rules] : &rules[i]);
  if (!catch_all)
    {
      emit (&p, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1);
      emit (&p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    }
  insns = p.insns;

  memset (&attr, 0, sizeof (attr));
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uint64_t) (uintptr_t) insns;
  attr.insn_cnt = p.n;
  attr.license = (uint64_t) (uintptr_t) "GPL";
  prog = syscall (SYS_bpf, BPF_PROG_LOAD, &attr, sizeof (attr));
  if (prog < 0)
    {
      /* Load again with the verifier's log, only to say why it refused. */
      static char log[16384];
      int saved = errno;
      char *nl;
      attr.log_buf = (uint64_t) (uintptr_t) log;
      attr.log_size = sizeof (log);
      attr.log_level = 1;
      if (syscall (SYS_bpf, BPF_PROG_LOAD, &attr, sizeof (attr)) < 0 && (nl = strchr (log, '\n')))
        *nl = '\0';
      return ctrun_make_error (err, saved, "load the eBPF device filter (%zu instructions)%s%s", p.n,
                               log[0] ? ": " : "", log);
    }

  memset (&attr, 0, sizeof (attr));
  attr.target_fd = cgroup_fd;
  attr.attach_bpf_fd = prog;
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (syscall (SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof (attr)) < 0)
    return ctrun_make_error (err, errno, "attach the eBPF device filter to the cgroup");
  return 0;
}
