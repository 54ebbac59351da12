"""Service calls inside one node, run with that node's environment (see comity.exchange.testing).

    python tests/exchange/e2e/driver.py ACTION 'JSON'
    python tests/exchange/e2e/driver.py serve

The driver lives in the package (comity.exchange.testing_driver) so that `make bench` can use it
without importing from tests/; this script is its entry point for the test suite.
"""

from comity.exchange.testing_driver import main

if __name__ == "__main__":
    main()
