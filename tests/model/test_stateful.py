"""Random operation sequences: the patched model against the emulation model.

Both models get the same operations and must give the same data, signals and return codes; the
invariants of tests/model/invariants.py hold after every step. Places where the two differ by
design are left out of the comparison, each for a reason:

- a page given its own protection is remapped with MAP_NOINHERIT on the patched side and by
  UML's mmap(MAP_FIXED) on the emulation side (the emulation's remap_file_pages() refuses prot);
- an old-style remap (prot 0) on the patched side gives the page the VMA default, which on the
  emulation side is a MAP_NOINHERIT remap with that default: Linux's emulation would take the
  protection of the per-page VMA there instead;
- mprotect() is only done on the private window: on a non-uniform VMA it changes the default
  only (patch 03), where the emulation's per-page VMAs all change;
- remaps of private mappings are not compared: patch 06 accepts linear ones, the emulation
  refuses them all (EINVAL);
- a remap past the end of the file is -EINVAL on the patched side (filemap_populate() checks
  the size) where the emulation's mmap() succeeds and only the access gets SIGBUS: such remaps
  are checked to fail on the patched side and not done on the other;
- VMA counts and mincore() are not compared (one VMA against many; mincore looks at the linear
  page of a nonlinear VMA).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.model import strategies as st
from tests.model.invariants import check_invariants
from toolkit.model.emulation import EmulatedSystem
from toolkit.model.include.linux.mman import (
    MADV_DONTNEED,
    MAP_NOINHERIT,
    MAP_PRIVATE,
    MAP_SHARED,
    PROT_NONE,
    PROT_READ,
    PROT_WRITE,
)
from toolkit.model.options import Options, parse_patches
from toolkit.model.system import Signal, System

RW = PROT_READ | PROT_WRITE


class PatchedAgainstEmulation(RuleBasedStateMachine):
    """The default series (01-16) on i386 against the emulation model."""

    arch = "i386"
    patches = "all"
    default = RW  # the shared window's protection as mmap()ed

    @initialize()
    def boot(self) -> None:
        """Both models get the test file and a shared and a private window at one address."""
        options = Options(arch=self.arch, patches=parse_patches(self.patches))
        self.patched = System(options)
        self.emulated = EmulatedSystem(options)
        self.models = (self.patched, self.emulated)
        self.pids = [0]
        # An oracle of the file written apart from the models: which offset each page of the
        # shared window maps in each process, and what the file holds (i at page i below fill).
        self.offsets = {0: list(range(st.WINDOW_PAGES))}
        self.size, self.fill = st.FILE_PAGES, st.FILE_PAGES
        self.data: dict[int, int] = {}
        for model in self.models:
            model.create_file("f", st.FILE_PAGES)
        page = self.patched.PAGE_SIZE
        self.page = page
        self.win = self._both(
            lambda m: m.mmap(0, st.WINDOW_PAGES * page, self.default, MAP_SHARED, "f", 0)
        )
        self.priv = self._both(
            lambda m: m.mmap(0, st.PRIVATE_PAGES * page, RW, MAP_PRIVATE, "f", 32)
        )
        assert self.win > 0 and self.priv > 0

    def _both(self, call):  # type: ignore[no-untyped-def]
        """Do `call` on both models and insist on one answer."""
        patched, emulated = (call(m) for m in self.models)
        assert patched == emulated, f"patched {patched!r}, emulated {emulated!r}"
        assert patched is not Signal.LIVELOCK
        return patched

    @rule(i=st.page_numbers, pgoff=st.file_offsets, prot=st.page_prots)
    def remap_with_prot(self, i: int, pgoff: int, prot: int) -> None:
        """One page gets another offset and its own protection."""
        addr = self.win + i * self.page
        if self._past_eof(pgoff, 1):
            return
        if self._both(lambda m: m.remap_file_pages(addr, self.page, prot, pgoff, MAP_NOINHERIT)):
            return
        self.offsets[0][i] = pgoff

    def _past_eof(self, pgoff: int, n: int) -> bool:
        """Whether a remap reaches past the end of the file; the patched side then refuses."""
        size = self.patched.kernel.files["f"].i_size
        if (pgoff + n) * self.page <= size:
            return False
        got = self.patched.remap_file_pages(self.win, n * self.page, 0, pgoff, 0)
        assert got < 0, "a remap past the end of the file succeeded"
        return True

    @rule(i=st.page_numbers, prot=st.page_prots)
    def protect_page(self, i: int, prot: int) -> None:
        """UML's common case: a page keeps its offset and gets its own protection."""
        self.remap_with_prot(i, i, prot)

    @rule(i=st.page_numbers, n=st.run_lengths, pgoff=st.file_offsets)
    def remap_old_style(self, i: int, n: int, pgoff: int) -> None:
        """A run of pages gets other offsets and the VMA's default protection."""
        n = min(n, st.WINDOW_PAGES - i)
        addr, size = self.win + i * self.page, n * self.page
        if self._past_eof(pgoff, n):
            return
        got = self.patched.remap_file_pages(addr, size, 0, pgoff, 0)
        want = self.emulated.remap_file_pages(addr, size, self.default, pgoff, MAP_NOINHERIT)
        assert got == want
        if got == 0:
            self.offsets[0][i : i + n] = range(pgoff, pgoff + n)

    def _file_value(self, pgoff: int) -> int:
        return self.data.get(pgoff, pgoff if pgoff < self.fill else 0)

    @rule(data=st.st.data(), i=st.page_numbers)
    def read(self, data, i: int) -> None:  # type: ignore[no-untyped-def]
        """A load from the shared window gives what the file holds at the mapped offset."""
        pid = data.draw(st.st.sampled_from(self.pids))
        got = self._both(lambda m: m.read(self.win + i * self.page, pid))
        pgoff = self.offsets[pid][i]
        if isinstance(got, int):
            assert got == self._file_value(pgoff), f"page {i} (offset {pgoff}) lost its data"
        elif got is Signal.SIGBUS:
            assert pgoff >= self.size

    @rule(data=st.st.data(), i=st.page_numbers, value=st.values)
    def write(self, data, i: int, value: int) -> None:  # type: ignore[no-untyped-def]
        """A store to the shared window reaches the file."""
        pid = data.draw(st.st.sampled_from(self.pids))
        if self._both(lambda m: m.write(self.win + i * self.page, value, pid)) == 0:
            self.data[self.offsets[pid][i]] = value

    @rule(data=st.st.data(), i=st.private_pages)
    def read_private(self, data, i: int) -> None:  # type: ignore[no-untyped-def]
        """A load from the private window, in any live process."""
        pid = data.draw(st.st.sampled_from(self.pids))
        self._both(lambda m: m.read(self.priv + i * self.page, pid))

    @rule(data=st.st.data(), i=st.private_pages, value=st.values)
    def write_private(self, data, i: int, value: int) -> None:  # type: ignore[no-untyped-def]
        """A store to the private window makes a COW copy, never touching the file."""
        pid = data.draw(st.st.sampled_from(self.pids))
        self._both(lambda m: m.write(self.priv + i * self.page, value, pid))

    @rule()
    def swap_out_everything(self) -> None:
        """Memory pressure takes every page."""
        for model in self.models:
            model.swap_out()

    @rule(i=st.page_numbers)
    def swap_out_one(self, i: int) -> None:
        """Reclaim of the page one address maps."""
        for model in self.models:
            model.swap_out(self.win + i * self.page)

    @rule(i=st.page_numbers, n=st.run_lengths)
    def dontneed(self, i: int, n: int) -> None:
        """MADV_DONTNEED over a run of the shared window."""
        n = min(n, st.WINDOW_PAGES - i)
        self._both(lambda m: m.madvise(self.win + i * self.page, n * self.page, MADV_DONTNEED))

    @rule(i=st.private_pages, n=st.run_lengths)
    def dontneed_private(self, i: int, n: int) -> None:
        """MADV_DONTNEED over the private window drops COW copies."""
        n = min(n, st.PRIVATE_PAGES - i)
        self._both(lambda m: m.madvise(self.priv + i * self.page, n * self.page, MADV_DONTNEED))

    @rule(pages=st.file_sizes)
    def truncate(self, pages: int) -> None:
        """ftruncate() to a size in pages."""
        self._both(lambda m: m.ftruncate("f", pages * self.page))
        if pages < self.size:
            self.data = {k: v for k, v in self.data.items() if k < pages}
            self.fill = min(self.fill, pages)
        self.size = pages

    @rule(index=st.file_offsets, value=st.values)
    def write_file(self, index: int, value: int) -> None:
        """write() into the file, growing it if needed."""
        self._both(lambda m: m.pwrite("f", index, value))
        self.data[index] = value
        self.size = max(self.size, index + 1)

    @rule(index=st.file_offsets)
    def read_file(self, index: int) -> None:
        """read() of the file gives what was written, so no data was lost."""
        got = self._both(lambda m: m.pread("f", index))
        assert got == (self._file_value(index) if index < self.size else 0)

    @rule(prot=st.page_prots, i=st.private_pages, n=st.run_lengths)
    def mprotect_private(self, prot: int, i: int, n: int) -> None:
        """mprotect() of part of the private window (VM_ACCOUNT decides what merges again)."""
        n = min(n, st.PRIVATE_PAGES - i)
        self._both(lambda m: m.mprotect(self.priv + i * self.page, n * self.page, prot))
        self._both(self._private_vmas)

    @rule(i=st.private_pages, n=st.run_lengths, advice=st.read_hints)
    def hint_private(self, i: int, n: int, advice: int) -> None:
        """A read-ahead hint over part of the private window splits and merges VMAs alike."""
        n = min(n, st.PRIVATE_PAGES - i)
        self._both(lambda m: m.madvise(self.priv + i * self.page, n * self.page, advice))
        self._both(self._private_vmas)

    def _private_vmas(self, model: System) -> int:
        """How many VMAs lie in the private window: equal on both sides, unlike the whole count."""
        end = self.priv + st.PRIVATE_PAGES * self.page
        mm = model.kernel.mms[0]
        return sum(1 for vma in mm.mmap if vma.vm_start < end and vma.vm_end > self.priv)

    @rule(i=st.private_pages, n=st.run_lengths)
    def munmap_private(self, i: int, n: int) -> None:
        """munmap() of part of the private window; its pages then give SIGSEGV."""
        n = min(n, st.PRIVATE_PAGES - i)
        self._both(lambda m: m.munmap(self.priv + i * self.page, n * self.page))

    @precondition(lambda self: len(self.pids) > 1)
    @rule(data=st.st.data())
    def exit(self, data) -> None:  # type: ignore[no-untyped-def]
        """A child exits; its mappings, COW copies and swap slots go with it."""
        pid = data.draw(st.st.sampled_from(self.pids[1:]))
        for model in self.models:
            model.exit(pid)
        self.pids.remove(pid)

    @precondition(lambda self: len(self.pids) < 3)
    @rule()
    def fork(self) -> None:
        """fork(): the child sees the same memory."""
        child = self._both(lambda m: m.fork(0))
        self.pids.append(child)
        self.offsets[child] = list(self.offsets[0])

    @invariant()
    def invariants_hold(self) -> None:
        """The patched model's structures stay consistent."""
        if hasattr(self, "patched"):
            check_invariants(self.patched)
            check_invariants(self.emulated)


PROFILE = settings(
    max_examples=100,
    stateful_step_count=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

PatchedAgainstEmulation.TestCase.settings = PROFILE
TestPatchedAgainstEmulation = PatchedAgainstEmulation.TestCase


class AlternativeAgainstEmulation(PatchedAgainstEmulation):
    """The series with 17+18 in place of 11, on x86_64."""

    arch = "x86_64"
    patches = "all,-11,+17,+18"


AlternativeAgainstEmulation.TestCase.settings = PROFILE
TestAlternativeAgainstEmulation = AlternativeAgainstEmulation.TestCase


class WithoutPatch08(PatchedAgainstEmulation):
    """The series without patch 08: the comparison must notice the fault loop."""

    patches = "all,-8"


def test_comparison_catches_a_missing_patch() -> None:
    """The stateful comparison is not vacuous: dropping patch 08 makes it fail."""
    # Finding the failure is the point; shrinking it took most of the time. Without shrinking,
    # 100 examples found it in some pytest sessions and not in others: 300 leave room.
    found = settings(PROFILE, max_examples=300, phases=[Phase.generate])
    with pytest.raises((AssertionError, ExceptionGroup)):
        run_state_machine_as_test(WithoutPatch08, settings=found)


class UmlWindowAgainstEmulation(PatchedAgainstEmulation):
    """UML's layout: the shared window is PROT_NONE and pages get their rights one by one.

    No mprotect() of the window here: in a PROT_NONE mapping patch 14 drops the offset of a
    PROT_NONE remap, which mprotect() would expose (tests/scenario/findings/).
    """

    default = PROT_NONE


UmlWindowAgainstEmulation.TestCase.settings = settings(PROFILE, max_examples=60)
TestUmlWindowAgainstEmulation = UmlWindowAgainstEmulation.TestCase
