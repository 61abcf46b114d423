"""UML's pattern on the patched model, the emulation model and the running kernel."""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.kernel.build import unavailable
from toolkit.kernel.runner import KernelRunner, max_map_count
from toolkit.model.emulation import EmulatedSystem
from toolkit.model.include.linux.mman import MAP_NOINHERIT, MAP_SHARED, PROT_NONE
from toolkit.model.options import DEFAULT_MAX_MAP_COUNT, Options
from toolkit.model.system import System, errno_name

# UML gives guest pages alternately these protections: read-only, read-write.
PATTERN = (1, 3)
MODEL_ARCH = "x86_64"


@dataclass(frozen=True, slots=True)
class UmlRun:
    """How far one side got: pages remapped, VMAs it holds, the error it stopped on."""

    side: str
    pages: int
    remapped: int
    vmas: int
    error: str | None = None
    own_vmas: int | None = None  # the kernel runner's own VMAs, which count against the limit
    skipped: str | None = None


@dataclass(frozen=True, slots=True)
class UmlComparison:
    """The three sides of one UML pattern run."""

    pages: int
    max_map_count: int
    limit_from_kernel: bool
    runs: tuple[UmlRun, ...]


def _model(cls: type[System], side: str, pages: int, limit: int) -> UmlRun:
    system = cls(Options(arch=MODEL_ARCH, max_map_count=limit))
    size = system.PAGE_SIZE
    system.create_file("mem", pages, fill_index=False)
    base = system.mmap(0, pages * size, PROT_NONE, MAP_SHARED, "mem")
    if base < 0:
        return UmlRun(side, pages, 0, system.vma_count(), errno_name(base))
    for i in range(pages):
        prot = PATTERN[i % len(PATTERN)]
        got = system.remap_file_pages(base + i * size, size, prot, i, MAP_NOINHERIT)
        if got < 0:
            return UmlRun(side, pages, i, system.vma_count(), errno_name(got))
    return UmlRun(side, pages, pages, system.vma_count())


def _kernel(pages: int) -> UmlRun:
    side = "kernel"
    why = unavailable()
    if why is not None:
        return UmlRun(side, pages, 0, 0, skipped=why)
    with KernelRunner() as runner:
        runner.ask(f"file mem {pages} zero rw")
        got = runner.ask(f"mmap guest mem {pages} 0 shared 0").ret
        remapped, error = pages, None
        if got < 0:
            remapped, error = 0, errno_name(got)
        else:
            for i in range(pages):
                prot = PATTERN[i % len(PATTERN)]
                got = runner.ask(f"remap guest {i} 1 {prot} {i} noinherit").ret
                if got < 0:
                    remapped, error = i, errno_name(got)
                    break
        count = runner.ask("vmas")
    total = count.total if count.total is not None else count.ret
    return UmlRun(side, pages, remapped, count.ret, error, own_vmas=total - count.ret)


def uml_pattern(pages: int) -> UmlComparison:
    """Map `pages` pages PROT_NONE and remap each alone, r and rw in turn, on all three sides."""
    from_kernel = unavailable() is None
    limit = max_map_count() if from_kernel else DEFAULT_MAX_MAP_COUNT
    runs = (
        _model(System, "patched model", pages, limit),
        _model(EmulatedSystem, "emulation model", pages, limit),
        _kernel(pages),
    )
    return UmlComparison(pages, limit, from_kernel, runs)
