"""Build the optional C helper (logchain._native) that hashes Merkle leaves over Arrow buffers.

It links against the system's libcrypto.so.3 by name and declares the two OpenSSL functions it needs
itself, so no OpenSSL headers are required. If the build fails, logchain falls back to pure Python
(byte-equal, tested) and says so in `logchain verify --json` ("hash_backend").
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "logchain._native",
            sources=["logchain/_native.c"],
            extra_compile_args=["-O2", "-std=c11"],
            extra_link_args=["-l:libcrypto.so.3"],
            optional=True,
        )
    ]
)
