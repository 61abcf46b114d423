"""The process-level API of a model kernel: what a scenario or a test does to it.

MODEL: this is the user/kernel boundary. Syscalls take `pid` in place of `current`, memory
accesses go through the MMU model (a present PTE granting the access) and otherwise through
do_page_fault(), retried as the hardware would.
"""

from __future__ import annotations

import errno
from enum import Enum
from pathlib import Path

from toolkit.model.arch.fault import PF_INSTR, PF_PROT, PF_WRITE, do_page_fault
from toolkit.model.globals import Kernel, boot
from toolkit.model.include.asm.pgtable import TASK_SIZE
from toolkit.model.include.linux.fs import file_page_value, inode
from toolkit.model.include.linux.mm import VM_FAULT, VM_SHARED
from toolkit.model.include.linux.mman import PROT_EXEC, PROT_READ, PROT_WRITE
from toolkit.model.include.linux.sched import mm_struct
from toolkit.model.kernel.fork import copy_mm
from toolkit.model.mm import page_alloc
from toolkit.model.mm.fremap import sys_remap_file_pages
from toolkit.model.mm.madvise import sys_madvise
from toolkit.model.mm.memory import pte_read, vmtruncate
from toolkit.model.mm.mincore import sys_mincore
from toolkit.model.mm.mmap import do_mmap_pgoff, do_munmap, exit_mmap, find_vma
from toolkit.model.mm.mprotect import sys_mprotect
from toolkit.model.mm.vmscan import shrink_all_memory, shrink_page
from toolkit.model.options import Options

# MODEL: a fault that returns without making the access possible would repeat for ever; after
# this many in a row the model calls it a livelock.
MAX_FAULTS = 4


class Signal(Enum):
    """What a user access gets instead of a value."""

    SIGSEGV = "SIGSEGV"
    SIGBUS = "SIGBUS"
    SIGKILL = "SIGKILL"  # VM_FAULT_OOM
    LIVELOCK = "LIVELOCK"  # the same fault forever (the pre-patch-08 fault loop)


_FAULT_SIGNAL = {
    VM_FAULT.SIGSEGV: Signal.SIGSEGV,
    VM_FAULT.SIGBUS: Signal.SIGBUS,
    VM_FAULT.OOM: Signal.SIGKILL,
}


class System:
    """One model kernel with its files and processes; process 0 exists from the start."""

    emulated = False

    def __init__(self, options: Options | None = None, archs_dir: Path | None = None) -> None:
        self.options = options or Options()
        self.kernel: Kernel = boot(self._kernel_options(self.options), archs_dir)
        self.PAGE_SIZE = self.kernel.pgtable.PAGE_SIZE
        self.PAGE_SHIFT = self.kernel.pgtable.PAGE_SHIFT
        self.kernel.mms[0] = mm_struct(kernel=self.kernel)

    def _kernel_options(self, options: Options) -> Options:
        return options

    def _mm(self, pid: int) -> mm_struct:
        return self.kernel.mms[pid]

    # -- files ---------------------------------------------------------------

    def create_file(
        self,
        name: str,
        pages: int,
        *,
        fill_index: bool = True,
        writable: bool = True,
        noexec: bool = False,
    ) -> inode:
        """A file of `pages` pages; page i holds i when `fill_index` (the test program's file)."""
        ino = inode(
            i_ino=len(self.kernel.files) + 1,
            name=name,
            i_size=pages << self.PAGE_SHIFT,
            i_fill=pages if fill_index else 0,
            f_mode_write=writable,
            noexec=noexec,
        )
        self.kernel.files[name] = ino
        return ino

    def pwrite(self, file: str, index: int, value: int) -> int:
        """write(2) of `value` into page `index` of the file, growing it if needed."""
        ino = self.kernel.files[file]
        ino.i_data[index] = value
        ino.i_size = max(ino.i_size, (index + 1) << self.PAGE_SHIFT)
        return 0

    def pread(self, file: str, index: int) -> int:
        """read(2) of page `index` of the file (0 past its end)."""
        ino = self.kernel.files[file]
        if index << self.PAGE_SHIFT >= ino.i_size:
            return 0
        return file_page_value(ino, index)

    def ftruncate(self, file: str, length: int) -> int:
        """ftruncate(2) to `length` bytes."""
        return vmtruncate(self.kernel.files[file], length, self.PAGE_SHIFT)

    # -- syscalls ------------------------------------------------------------

    def mmap(
        self, addr: int, length: int, prot: int, flags: int, file: str, pgoff: int = 0, pid: int = 0
    ) -> int:
        """mmap(2) of a file with the offset in pages (mmap2): the address or -errno."""
        return do_mmap_pgoff(
            self._mm(pid), self.kernel.files[file], addr, length, prot, flags, pgoff
        )

    def munmap(self, addr: int, length: int, pid: int = 0) -> int:
        """munmap(2)."""
        return do_munmap(self._mm(pid), addr, length)

    def mprotect(self, addr: int, length: int, prot: int, pid: int = 0) -> int:
        """mprotect(2)."""
        return sys_mprotect(self._mm(pid), addr, length, prot)

    def remap_file_pages(
        self, start: int, size: int, prot: int, pgoff: int, flags: int, pid: int = 0
    ) -> int:
        """remap_file_pages(2)."""
        return sys_remap_file_pages(self._mm(pid), start, size, prot, pgoff, flags)

    def madvise(self, start: int, length: int, advice: int, pid: int = 0) -> int:
        """madvise(2)."""
        return sys_madvise(self._mm(pid), start, length, advice)

    def mincore(self, start: int, length: int, pid: int = 0) -> list[int] | int:
        """mincore(2): one 0/1 per page, or -errno."""
        return sys_mincore(self._mm(pid), start, length)

    def fork(self, pid: int = 0) -> int:
        """fork(2): the child's pid."""
        child = copy_mm(self._mm(pid))
        new_pid = self.kernel.next_pid
        self.kernel.next_pid += 1
        self.kernel.mms[new_pid] = child
        return new_pid

    def exit(self, pid: int) -> None:
        """exit(2): the process's mappings go, file PTEs included."""
        exit_mmap(self._mm(pid))
        del self.kernel.mms[pid]

    def vma_count(self, pid: int = 0) -> int:
        """How many VMAs the process has (mm->map_count)."""
        return self._mm(pid).map_count

    # -- memory pressure -----------------------------------------------------

    def swap_out(self, addr: int | None = None, pid: int = 0) -> None:
        """Reclaim the page mapped at `addr`, or every page of the machine when None."""
        if addr is None:
            shrink_all_memory(self.kernel)
            return
        pt = self.kernel.pgtable
        pte = pte_read(self._mm(pid), addr)
        if pt.pte_kind(pte) == "present":
            shrink_page(self.kernel, pt.pte_pfn(pte))

    # -- user accesses -------------------------------------------------------

    def _access(self, mm: mm_struct, addr: int, want: int) -> int | Signal:
        """The page frame the MMU reaches at `addr` for access `want`, after faults."""
        pt = self.kernel.pgtable
        if not 0 <= addr < TASK_SIZE:
            return Signal.SIGSEGV
        code = PF_WRITE if want == PROT_WRITE else PF_INSTR if want == PROT_EXEC else 0
        for _ in range(MAX_FAULTS):
            pte = pte_read(mm, addr)
            error = code
            if pt.pte_kind(pte) == "present":
                rights = pt.pte_prot(pte)
                if rights & want:
                    return pt.pte_pfn(pte)
                if rights:
                    error |= PF_PROT
            result = do_page_fault(mm, addr, error)
            signal = _FAULT_SIGNAL.get(result)
            if signal is not None:
                return signal
        return Signal.LIVELOCK

    def read(self, addr: int, pid: int = 0) -> int | Signal:
        """Load the int of the page at `addr`, or the signal the load gets."""
        got = self._access(self._mm(pid), addr, PROT_READ)
        if isinstance(got, Signal):
            return got
        return page_alloc.page_value(self.kernel.mem, got)

    def write(self, addr: int, value: int, pid: int = 0) -> int | Signal:
        """Store `value` as the int of the page at `addr`: 0, or the signal the store gets."""
        got = self._access(self._mm(pid), addr, PROT_WRITE)
        if isinstance(got, Signal):
            return got
        page_alloc.set_page_value(self.kernel.mem, got, value)
        return 0

    def exec(self, addr: int, pid: int = 0) -> int | Signal:
        """Fetch an instruction from the page at `addr`: 0, or the signal the fetch gets."""
        got = self._access(self._mm(pid), addr, PROT_EXEC)
        return got if isinstance(got, Signal) else 0

    # -- inspection ----------------------------------------------------------

    def vma_shared(self, addr: int, pid: int = 0) -> bool:
        """Whether the VMA at `addr` is a shared mapping."""
        vma = find_vma(self._mm(pid), addr)
        return vma is not None and vma.vm_start <= addr and bool(vma.vm_flags & VM_SHARED)


def errno_name(value: int) -> str:
    """ "-EINVAL" for -22, the number itself for anything else."""
    if value < 0 and -value in errno.errorcode:
        return f"-{errno.errorcode[-value]}"
    return str(value)
