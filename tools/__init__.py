"""Not the product: data generators for the benchmark (`make bench`), the demo at scale
(`lea-support demo --scale`, from the project checkout) and the tests. Never imported by
`lea_support` itself except by the CLI's `demo --scale`, which finds this folder in the checkout."""
