"""Models of include/asm-ARCH/*.h, bound to one arch of archs/ at boot."""
