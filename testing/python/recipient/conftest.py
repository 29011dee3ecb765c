"""Fixtures of the recipient suite: the gateway, its profiles and the expected rows are prepared by the
Java test that runs this suite (io.tablegate.recipients.PythonRecipientTest) and passed in the environment."""
import datetime
import json
import math
import os

import pytest

EPOCH = datetime.date(1970, 1, 1)


def canonical(value):
    """One cell as the Java tests' KernelRows and write_tables.py print it."""
    if value is None:
        return "null"
    if isinstance(value, float):
        if math.isnan(value):
            return "null"
        if value.is_integer():
            return str(int(value))
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        value = value.to_pydatetime()
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return str((value - EPOCH).days)
    try:
        import pandas as pd
        if pd.isna(value):
            return "null"
    except (TypeError, ValueError):
        pass
    return str(value)


def rows(frame, columns=None):
    """A pandas DataFrame as sorted canonical rows ("col=value|col=value")."""
    names = columns or [c for c in frame.columns if not c.startswith("_")]
    out = []
    for record in frame.to_dict(orient="records"):
        out.append("|".join(f"{n}={canonical(record[n])}" for n in names))
    return sorted(out)


@pytest.fixture(scope="session")
def profile():
    return os.environ["TABLEGATE_PROFILE"]


@pytest.fixture(scope="session")
def expected():
    with open(os.environ["TABLEGATE_EXPECTED"]) as f:
        return json.load(f)


@pytest.fixture(scope="session")
def env():
    return os.environ
