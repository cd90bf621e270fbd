"""Master data: versioned partners, products, part numbers, prices, open orders, open AR
invoices and payment terms - imported from CSV/JSON/SQL (`importer`), read through
`repository.MasterDataRepository`, and generated for demos (`demo_data`)."""
from __future__ import annotations

from validation.masterdata.importer import (IMPORT_ORDER, ImportReport, MasterDataImportError,
                                            import_directory, import_file, import_records,
                                            import_sql, prune_versions)
from validation.masterdata.models import KINDS
from validation.masterdata.repository import MasterDataRepository, active_versions

__all__ = ["IMPORT_ORDER", "KINDS", "ImportReport", "MasterDataImportError",
           "MasterDataRepository", "active_versions", "import_directory", "import_file",
           "import_records", "import_sql", "prune_versions"]
