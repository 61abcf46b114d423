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

from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from tests.model import strategies as st
from tests.model.invariants import check_invariants
from toolkit.model.emulation import EmulatedSystem
from toolkit.model.include.linux.mman import (
    MADV_DONTNEED,
    MAP_NOINHERIT,
    MAP_PRIVATE,
    MAP_SHARED,
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

    @initialize()
    def boot(self) -> None:
        """Both models get the test file and a shared and a private window at one address."""
        options = Options(arch=self.arch, patches=parse_patches(self.patches))
        self.patched = System(options)
        self.emulated = EmulatedSystem(options)
        self.models = (self.patched, self.emulated)
        self.pids = [0]
        for model in self.models:
            model.create_file("f", st.FILE_PAGES)
        page = self.patched.PAGE_SIZE
        self.page = page
        self.win = self._both(lambda m: m.mmap(0, st.WINDOW_PAGES * page, RW, MAP_SHARED, "f", 0))
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
        self._both(lambda m: m.remap_file_pages(addr, self.page, prot, pgoff, MAP_NOINHERIT))

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
        want = self.emulated.remap_file_pages(addr, size, RW, pgoff, MAP_NOINHERIT)
        assert got == want

    @rule(data=st.st.data())
    def read(self, data) -> None:  # type: ignore[no-untyped-def]
        """A load from any page of either window, in any live process."""
        pid = data.draw(st.st.sampled_from(self.pids))
        addr = data.draw(self._addresses())
        self._both(lambda m: m.read(addr, pid))

    @rule(data=st.st.data(), value=st.values)
    def write(self, data, value: int) -> None:  # type: ignore[no-untyped-def]
        """A store to any page of either window, in any live process."""
        pid = data.draw(st.st.sampled_from(self.pids))
        addr = data.draw(self._addresses())
        self._both(lambda m: m.write(addr, value, pid))

    def _addresses(self):  # type: ignore[no-untyped-def]
        shared = st.page_numbers.map(lambda i: self.win + i * self.page)
        private = st.private_pages.map(lambda i: self.priv + i * self.page)
        return st.st.one_of(shared, private)

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

    @rule(index=st.file_offsets, value=st.values)
    def write_file(self, index: int, value: int) -> None:
        """write() into the file, growing it if needed."""
        self._both(lambda m: m.pwrite("f", index, value))

    @rule(index=st.file_offsets)
    def read_file(self, index: int) -> None:
        """read() of the file agrees, so no data was lost."""
        self._both(lambda m: m.pread("f", index))

    @rule(prot=st.page_prots)
    def mprotect_private(self, prot: int) -> None:
        """mprotect() of the whole private window."""
        size = st.PRIVATE_PAGES * self.page
        self._both(lambda m: m.mprotect(self.priv, size, prot))

    @precondition(lambda self: len(self.pids) < 3)
    @rule()
    def fork(self) -> None:
        """fork(): the child sees the same memory."""
        self.pids.append(self._both(lambda m: m.fork(0)))

    @invariant()
    def invariants_hold(self) -> None:
        """The patched model's structures stay consistent."""
        if hasattr(self, "patched"):
            check_invariants(self.patched)
            check_invariants(self.emulated)


PROFILE = settings(
    max_examples=40,
    stateful_step_count=25,
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
