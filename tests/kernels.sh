# Sourced: the kernels slaguard is built and tested for. KVER is the Debian
# 6.1 kernel the VM boots; KVER_NEW a current one for the build matrix.
newest() {
	ls -d /lib/modules/$1/build 2>/dev/null | grep -v -- '-rt-\|-cloud-' |
		sort -V | tail -n1 | cut -d/ -f4
}
KVER=${KVER:-$(newest '6.1.*-amd64')}
KVER_NEW=${KVER_NEW:-$(newest '6.12.*-amd64')}
