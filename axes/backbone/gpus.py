"""Accelerators the memory and roofline figures are computed for.

Memory in bytes (GB = 1e9 B for HBM3/HBM3e marketing figures where the vendor states GB; the
80 GB / 40 GB A100 and H100 parts hold 80 GiB / 40 GiB usable device memory as reported by
``nvidia-smi``, here taken as the vendor's decimal figure to stay conservative), bandwidth in
bytes per second, each with the vendor page it comes from.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class GPU:
    key: str
    name: str
    memory_bytes: int
    bandwidth_bytes_per_s: int
    source_url: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


GB = 10**9
TB = 10**12

GPUS: dict[str, GPU] = {
    g.key: g
    for g in (
        GPU(
            "H100-SXM",
            "NVIDIA H100 SXM5 80GB",
            80 * GB,
            int(3.35 * TB),
            "https://www.nvidia.com/en-us/data-center/h100/",
        ),
        GPU(
            "H100-PCIe",
            "NVIDIA H100 PCIe 80GB",
            80 * GB,
            int(2.0 * TB),
            "https://www.nvidia.com/en-us/data-center/h100/",
        ),
        GPU(
            "H200",
            "NVIDIA H200 SXM 141GB",
            141 * GB,
            int(4.8 * TB),
            "https://www.nvidia.com/en-us/data-center/h200/",
        ),
        GPU(
            "A100-80GB",
            "NVIDIA A100 SXM 80GB",
            80 * GB,
            int(2.039 * TB),
            "https://www.nvidia.com/en-us/data-center/a100/",
        ),
        GPU(
            "A100-40GB",
            "NVIDIA A100 SXM 40GB",
            40 * GB,
            int(1.555 * TB),
            "https://www.nvidia.com/en-us/data-center/a100/",
        ),
        GPU(
            "L40S",
            "NVIDIA L40S 48GB",
            48 * GB,
            864 * GB,
            "https://www.nvidia.com/en-us/data-center/l40s/",
        ),
        GPU(
            "RTX-4090",
            "NVIDIA GeForce RTX 4090 24GB",
            24 * GB,
            int(1.008 * TB),
            "https://www.nvidia.com/en-us/geforce/graphics-cards/40-series/rtx-4090/",
        ),
    )
}

# (key, memory_bytes, bandwidth_bytes_per_s) per GPU, for the per-report tables' tight loops
GPU_TABLE: tuple[tuple[str, int, int], ...] = tuple(
    (g.key, g.memory_bytes, g.bandwidth_bytes_per_s) for g in GPUS.values()
)
GPU_KEYS: tuple[str, ...] = tuple(GPUS)
GPU_BANDWIDTHS: tuple[int, ...] = tuple(g.bandwidth_bytes_per_s for g in GPUS.values())
GPU_MEMORY_BYTES: tuple[int, ...] = tuple(g.memory_bytes for g in GPUS.values())


def gpu_get(key: str) -> GPU:
    """Look a GPU up by key, case- and separator-insensitively ("h100_sxm" -> "H100-SXM")."""
    norm = key.upper().replace("_", "-").replace(" ", "-")
    for k, g in GPUS.items():
        if k.upper() == norm:
            return g
    raise KeyError(f"unknown GPU {key!r}; choose one of: {', '.join(GPUS)}")
