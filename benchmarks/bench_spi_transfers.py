"""SPI transfers per empty poll: the stock mfrc522 loop against Mfrc522Reader, on the emulated chip.

Run from the repo root: python benchmarks/bench_spi_transfers.py [--polls N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hardware.emulation import emulated_chip, gpio
from hardware.mfrc522_reader import Mfrc522Reader

TARGET = 30


def stock_costs(polls: int) -> list[int]:
    """Transfers of each MFRC522_Request(PICC_REQIDL), as SimpleMFRC522.read_id does it."""
    with emulated_chip() as chip:
        from mfrc522 import MFRC522

        stock = MFRC522()
        costs = []
        for _ in range(polls):
            before = chip.transfers
            stock.MFRC522_Request(stock.PICC_REQIDL)
            costs.append(chip.transfers - before)
        stock.spi.close()
        gpio.reset()
        return costs


def our_costs(polls: int) -> list[int]:
    """Transfers of each Mfrc522Reader poll (version check + WUPA) with no card."""
    with emulated_chip() as chip, Mfrc522Reader() as reader:
        reader.poll_once()  # the first poll builds and initialises the driver
        costs = []
        for _ in range(polls):
            before = chip.transfers
            reader.poll_once()
            costs.append(chip.transfers - before)
        return costs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polls", type=int, default=100, help="empty polls per side")
    args = parser.parse_args()
    stock = statistics.median(stock_costs(args.polls))
    ours_all = our_costs(args.polls)
    ours = statistics.median(ours_all)
    print(f"SPI transfers per empty poll, median of {args.polls} polls (emulated MFRC522):")
    print(f"  stock mfrc522 loop : {stock:7.1f}")
    print(f"  Mfrc522Reader      : {ours:7.1f}  (max {max(ours_all)})")
    print(f"  ratio              : 1/{stock / ours:.0f}")
    ok = ours <= TARGET
    print(f"  target             : ours <= {TARGET}  -> {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
