"""The C shim: configuration symbols from the arch's title, names it provides."""

from __future__ import annotations

from toolkit.arch import load_arch
from toolkit.verify.shim import config_symbols, provided, shim


def test_config_symbols_follow_the_title() -> None:
    """A symbol the title names is set, a negated one is not; 64-bit longs add CONFIG_64BIT."""
    assert "CONFIG_X86_PAE" in config_symbols(load_arch("i386-pae"))
    assert "CONFIG_X86_PAE" not in config_symbols(load_arch("i386"))
    assert "__s390x__" not in config_symbols(load_arch("s390"))
    assert "CONFIG_64BIT" in config_symbols(load_arch("x86_64"))


def test_every_bit_is_a_page_constant() -> None:
    """Each declared bit is a `_PAGE_` macro of the shim, with its value."""
    arch = load_arch("i386")
    text = shim(arch)
    for bit in arch.bits:
        assert f"_PAGE_{bit.name}" in provided(arch)
        assert f"#define _PAGE_{bit.name} {1 << bit.bit:#x}UL" in text
