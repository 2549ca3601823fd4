# Sourced: the kernels slaguard is built and tested for, each the newest
# installed with headers. KVER is Debian 12's 6.1, KVER_NEW a current 6.12
# (bookworm-backports); the build matrix and dkms build for both, and the VM
# stages boot both (vm, vm-6.12).
newest() {
	ls -d /lib/modules/$1/build 2>/dev/null | grep -v -- '-rt-\|-cloud-' |
		sort -V | tail -n1 | cut -d/ -f4
}
KVER=${KVER:-$(newest '6.1.*-amd64')}
KVER_NEW=${KVER_NEW:-$(newest '6.12.*-amd64')}
