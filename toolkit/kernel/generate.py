"""Seeded random scenarios that both the emulation model and the running kernel can run."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.model.include.linux import mman
from toolkit.scenario.format import FileSpec, Op, OpKind, Scenario

# Protections whose meaning is the same on the model's i386 and on x86_64 hardware: write-only
# and exec-only pages are readable on both, but by different rules, so they are left out.
PROTS = (0, 1, 3, 5, 7)
# Advice for a run of pages: the read-ahead hints split and merge VMAs (madvise_behavior()),
# DONTNEED drops pages, WILLNEED changes nothing the ops can see.
ADVICES = (
    mman.MADV_DONTNEED,
    mman.MADV_DONTNEED,
    mman.MADV_WILLNEED,
    mman.MADV_NORMAL,
    mman.MADV_RANDOM,
    mman.MADV_SEQUENTIAL,
)
MAX_MAPPINGS = 4


@dataclass(slots=True)
class _Mapping:
    """What the generator remembers of a mapping it made: enough to keep ops inside it."""

    name: str
    file: str
    pages: int
    shared: bool
    live: set[int] = field(default_factory=set)


class _Generator:
    """The state of one random scenario under construction."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.files: list[FileSpec] = []
        self.maps: list[_Mapping] = []
        self.ops: list[Op] = []
        self.made = 0

    # -- helpers -------------------------------------------------------------

    def live_range(self, shared_only: bool = False) -> tuple[_Mapping, int, int] | None:
        """A mapping and a run of its still-mapped pages, or None when there is none."""
        choices = [m for m in self.maps if m.live and (m.shared or not shared_only)]
        if not choices:
            return None
        m = self.rng.choice(choices)
        first = self.rng.choice(sorted(m.live))
        last = first
        while last + 1 in m.live and self.rng.random() < 0.7:
            last += 1
        return m, first, last - first + 1

    def add(self, op: Op, count_vmas: bool = False) -> None:
        """Append `op`, and a VMA count after it when it may change the VMAs."""
        self.ops.append(op)
        if count_vmas:
            self.ops.append(Op(OpKind.VMA_COUNT, None))

    # -- operations ----------------------------------------------------------

    def mmap(self) -> None:
        """Map part of a file: mostly shared, now and then private or MAP_FIXED over another."""
        rng = self.rng
        spec = rng.choice(self.files)
        pages = rng.randint(1, 8)
        # Private mappings are only read: without a swap device the kernel cannot swap out a
        # COW page, where the model can, and the runner's swap-out zaps only shared mappings.
        shared = rng.random() < 0.8 or any(not m.shared for m in self.maps)
        flags = mman.MAP_SHARED if shared else mman.MAP_PRIVATE
        # EXCLUDED (kernel version, not a model bug): MAP_POPULATE of a private mapping. 2.6.13
        # populates it through remap_file_pages() without COW, as the model does; today's
        # kernel populates a writable private mapping by write faults, copying every page.
        if shared and rng.random() < 0.2:
            flags |= mman.MAP_POPULATE
        pgoff = rng.randint(0, max(0, spec.pages - pages + 1))
        name = f"m{self.made}"
        self.made += 1
        at, page = "", 0
        over = self.live_range()
        # A private mapping is never put over another one: the generator's ops name pages by
        # the mapping they were made in, and would then write to a private page.
        if shared and over is not None and rng.random() < 0.25:
            # MAP_FIXED over part of a mapping (and maybe past it): the kernel replaces it.
            at, page = over[0].name, over[1]
            flags |= mman.MAP_FIXED
        op = Op(
            OpKind.MMAP,
            None,
            name=name,
            file=spec.name,
            at=at,
            page=page,
            pages=pages,
            prot=rng.choice(PROTS),
            flags=flags,
            pgoff=pgoff,
        )
        self.maps.append(_Mapping(name, spec.name, pages, shared, set(range(pages))))
        self.add(op, count_vmas=True)

    def munmap(self) -> None:
        """Unmap a run of still-mapped pages."""
        found = self.live_range()
        if found is None:
            return
        m, page, pages = found
        self.add(Op(OpKind.MUNMAP, None, at=m.name, page=page, pages=pages), count_vmas=True)
        m.live -= set(range(page, page + pages))

    def mprotect(self) -> None:
        """Change the protection of a run of still-mapped pages."""
        found = self.live_range()
        if found is None:
            return
        m, page, pages = found
        prot = self.rng.choice(PROTS)
        self.add(Op(OpKind.MPROTECT, None, at=m.name, page=page, pages=pages, prot=prot), True)

    def remap(self) -> None:
        """remap_file_pages() of a run: UML style (each page its own prot) or old style."""
        rng = self.rng
        found = self.live_range(shared_only=rng.random() < 0.9)
        if found is None:
            return
        m, page, pages = found
        size = next(f.pages for f in self.files if f.name == m.file)
        pgoff = rng.randint(0, size)
        if rng.random() < 0.5:
            # UML's way: each page mapped again with its own protection.
            prots = tuple(rng.choice(PROTS) for _ in range(rng.randint(1, 2)))
            op = Op(
                OpKind.REMAP,
                None,
                at=m.name,
                page=page,
                pages=pages,
                pgoff=pgoff,
                flags=mman.MAP_NOINHERIT,
                each=True,
                prots=prots,
            )
        else:
            # Old style; now and then with a protection, which today's kernel refuses.
            prot = rng.choice((1, 3)) if rng.random() < 0.1 else 0
            flags = mman.MAP_NONBLOCK if rng.random() < 0.3 else 0
            op = Op(
                OpKind.REMAP,
                None,
                at=m.name,
                page=page,
                pages=pages,
                prot=prot,
                pgoff=pgoff,
                flags=flags,
            )
        self.add(op, count_vmas=True)

    def madvise(self) -> None:
        """madvise() of a run of still-mapped pages, with a VMA count after a read-ahead hint."""
        found = self.live_range()
        if found is None:
            return
        m, page, pages = found
        advice = self.rng.choice(ADVICES)
        hint = advice in (mman.MADV_NORMAL, mman.MADV_RANDOM, mman.MADV_SEQUENTIAL)
        op = Op(OpKind.MADVISE, None, at=m.name, page=page, pages=pages, advice=advice)
        self.add(op, count_vmas=hint)

    def access(self) -> None:
        """Read or write a run of pages through a mapping (writes only to shared ones)."""
        rng = self.rng
        write = rng.random() < 0.4
        found = self.live_range(shared_only=write)
        if found is None:
            return
        m, page, pages = found
        if rng.random() < 0.1 and page + pages < m.pages:
            pages += 1  # sometimes one page past the run: an unmapped page
        if write:
            values = tuple(rng.randint(100, 999) for _ in range(pages))
            self.add(Op(OpKind.WRITE, None, at=m.name, page=page, pages=pages, values=values))
        else:
            self.add(Op(OpKind.READ, None, at=m.name, page=page, pages=pages))

    def file_op(self) -> None:
        """ftruncate, write or read of a file itself."""
        rng = self.rng
        spec = rng.choice(self.files)
        roll = rng.random()
        if roll < 0.2:
            # Mostly shrinking, sometimes growing the file again.
            pages = rng.randint(0, spec.pages + 2)
            self.add(Op(OpKind.FTRUNCATE, None, file=spec.name, pages=pages))
        elif roll < 0.6:
            page = rng.randint(0, spec.pages + 1)
            value = rng.randint(1000, 9999)
            self.add(Op(OpKind.WRITE_FILE, None, file=spec.name, page=page, values=(value,)))
        else:
            page = rng.randint(0, spec.pages - 1)
            pages = rng.randint(1, 3)
            self.add(Op(OpKind.READ_FILE, None, file=spec.name, page=page, pages=pages))

    def swap_out(self) -> None:
        """Swap out everything, then look at a run's residency."""
        # Residency is compared right after a swap-out only: on a fault the kernel reads ahead.
        self.add(Op(OpKind.SWAP_OUT, None))
        found = self.live_range()
        if found is not None:
            m, page, pages = found
            self.add(Op(OpKind.MINCORE, None, at=m.name, page=page, pages=pages))


def generate(seed: int, index: int, max_ops: int = 14) -> Scenario:
    """Random scenario number `index` of the campaign seeded with `seed`."""
    rng = random.Random(f"{seed}:{index}")
    gen = _Generator(rng)
    for n in range(rng.randint(1, 2)):
        gen.files.append(FileSpec(f"f{n}", rng.randint(4, 16), rng.random() < 0.8, True, False))
    gen.mmap()
    actions = (
        (gen.mmap, 2),
        (gen.munmap, 1),
        (gen.mprotect, 2),
        (gen.remap, 4),
        (gen.madvise, 1),
        (gen.access, 5),
        (gen.file_op, 2),
        (gen.swap_out, 1),
    )
    funcs = [f for f, _ in actions]
    weights = [w for _, w in actions]
    for _ in range(rng.randint(3, max_ops)):
        action = rng.choices(funcs, weights)[0]
        if action == gen.mmap and len(gen.maps) >= MAX_MAPPINGS:
            action = gen.access
        action()
    # Finish by reading every mapping back: the data is what must agree in the end.
    for m in gen.maps:
        for page in sorted(m.live):
            gen.add(Op(OpKind.READ, None, at=m.name, page=page))
    return Scenario(
        path=Path(f"random-{seed}-{index}.toml"),
        title=f"random scenario {index} of seed {seed}",
        description="Generated by rfp model diff-kernel --random.",
        files=tuple(gen.files),
        max_map_count=None,
        arch_opt_in=None,
        ops=tuple(gen.ops),
    )
