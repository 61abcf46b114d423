"""Proofs and checks that file-PTE encodings round-trip."""
