"""`python -m extraction.bench` = `o2c bench extraction`."""
from extraction.bench.main import main

main()
