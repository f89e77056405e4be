"""Migration layer: constructors named and argued like the seed libraries."""
