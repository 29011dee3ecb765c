"""Runs pytest with the given arguments (the tests' Python environment has it); exits with its status."""
import sys

import pytest

sys.exit(pytest.main(sys.argv[1:]))
