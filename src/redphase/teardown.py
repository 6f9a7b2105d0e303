"""How a process of redphase's own (the `redphase` command, a shard of `verify --jobs`) leaves.

Only such a process's entry point registers this: a library function never changes how the
process that called it exits or collects garbage.
"""

from __future__ import annotations


def settle_before_teardown() -> None:
    """Collect what is garbage now, then set every live object aside from the collector.

    Tearing the interpreter down runs the cyclic collector over every object still alive, again
    and again as modules are emptied: after a pytest session, most of verify's time beyond plain
    pytest's on a small suite, and a quarter second on a large one. Garbage that exists now is still
    collected and finalised as it would be; only objects alive at exit are freed without the scans,
    which Python never promised to finalise.
    """
    import gc

    gc.collect()
    gc.freeze()
