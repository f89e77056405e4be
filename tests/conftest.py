"""Test configuration: strict dtype promotion and no implicit rank promotion.

No module-level `import snnjax` here: the jaxtyping import hook
(`--jaxtyping-packages=snnjax,...`) must see snnjax imported first by a test.
"""

import jax
import pytest

jax.config.update("jax_numpy_dtype_promotion", "strict")
jax.config.update("jax_numpy_rank_promotion", "raise")


@pytest.fixture
def key():
    return jax.random.key(0)
