#!/bin/bash
# libiscsi conformance, part 2: VERIFY, PRE-FETCH, PREVENT ALLOW,
# provisioning (UNMAP, WRITE SAME, GET LBA STATUS), persistent
# reservations, COMPARE AND WRITE, copy offload and the rest of the SCSI
# family.  See t-55-iscsi-libiscsi.sh.
LIBISCSI_PART=2 exec bash "$TOP/tests/guest/t-55-iscsi-libiscsi.sh"
