"""Vocabulary shared by the auth-log generator and the rule-pack generator.

Both sides draw from these lists so that the rule pack hits the log at a realistic rate: the
log uses a subset of each list (the common, benign values), the rules name many values the log
never contains (other users, ports, key types, commands) and a few it does (brute-force user
names, scanned ports, the odd suspicious command).
"""

# Sites of the regional network; host names are "<site>-<role><nn>".
SITES = [
    "chquimper", "chubrest", "chmorlaix", "chlandern", "chcarhaix", "chdouarnenez", "chlorient",
    "chbsvannes", "chploermel", "chpontivy", "chstbrieuc", "chguingamp", "chlannion", "chdinan",
    "churennes", "chstmalo", "chfougeres", "chvitre", "chredon", "chstmeen", "cliniquepasteur",
    "clinstyves", "hiaclermont", "ehpadkerlena", "cmlorient",
]
ROLES = ["srv", "pacs", "dpi", "web", "db", "app", "ad", "bkp", "lab", "rad", "vpn", "sftp"]

# Site address plans (Breton départements 22, 29, 35, 56).
INTERNAL_PREFIXES = ["10.22", "10.29", "10.35", "10.56", "172.16", "192.168"]

# Interactive administrators and service accounts that really log in.
ADMINS = [
    "jdupont", "mleguen", "ykerboul", "aleroux", "plemoal", "cdaniel", "tgourvil", "nlebihan",
    "fmorvan", "scoat", "gquere", "rpriol", "ehamon", "lperon", "vjaouen", "dlecam",
]
SERVICE_USERS = ["ansible", "backup", "nagios", "zabbix", "deploy", "postgres", "svc-pacs",
                 "svc-hl7", "oracle", "veeam"]
CRON_USERS = ["root", "root", "root", "root", "www-data", "postgres", "backup", "zabbix"]

# What brute-force sources try, most frequent first.
BRUTE_USERS = [
    "root", "admin", "test", "user", "ubuntu", "oracle", "postgres", "guest", "pi", "ftpuser",
    "git", "support", "mysql", "debian", "centos", "administrator", "operator", "nagios",
    "hadoop", "user1", "test1", "dev", "www", "web", "ftp", "demo", "minecraft", "steam", "es",
    "elastic", "jenkins", "tomcat", "ansible", "deploy", "sysadmin", "manager", "info", "sales",
]
# Names rules watch for that the log never contains (other sites' accounts, legacy systems).
OTHER_USERS = [
    "mediboard", "hopital", "dicom", "orthanc", "radiologie", "urgences", "pharma", "labo",
    "secretariat", "accueil", "cadre", "medecin", "infirmier", "interne", "dsi", "rssi", "si",
    "maintenance", "biomed", "sterilisation", "blocop", "samu", "smur", "chir", "imagerie",
    "vendor", "siemens", "philips", "gehc", "agfa", "carestream", "mckesson", "cerner",
    "softway", "maincare", "dedalus", "enovacom", "inovelan", "uucp", "lp", "news", "games",
    "sync", "halt", "shutdown", "mail", "proxy", "list", "irc", "gnats", "nobody", "sshd",
]

# Known scanner / brute-force sources; a few hundred benign clients come from make_clients().
BRUTE_SOURCES = ["183.62.140.253", "45.155.205.233", "141.98.11.11", "218.92.0.107",
                 "61.177.172.60", "193.201.9.156"]
# Networks rules flag (hosting providers, abuse-heavy ranges); some contain BRUTE_SOURCES.
WATCHED_NETS = [
    "183.62.140", "45.155.205", "141.98.11", "218.92.0", "61.177.172", "193.201.9",
    "185.220.101", "185.220.100", "89.248.165", "89.248.163", "92.63.197", "94.102.61",
    "5.188.206", "5.188.10", "193.32.162", "195.133.40", "171.25.193", "162.247.74",
    "104.244.72", "23.129.64", "80.82.77", "71.6.199", "198.20.69", "66.240.205", "222.186.30",
    "222.186.42", "112.85.42", "49.88.112", "61.177.173", "218.92.1", "121.202.0", "116.31.116",
    "103.145.13", "43.131.8", "159.223.10", "164.92.204", "143.198.8", "206.189.37", "167.99.60",
]

SSH_KEY_TYPES = ["ED25519", "RSA", "ECDSA"]  # what the log uses, in decreasing frequency
RARE_KEY_TYPES = ["DSA", "ECDSA-SK", "ED25519-SK", "RSA1"]

BENIGN_SUDO = [
    "/usr/bin/systemctl restart nginx", "/usr/bin/systemctl status postgresql",
    "/usr/bin/apt update", "/usr/bin/apt upgrade -y", "/usr/bin/journalctl -u sshd",
    "/usr/bin/tail -f /var/log/syslog", "/usr/bin/systemctl restart orthanc",
    "/usr/sbin/service apache2 reload", "/usr/bin/docker ps", "/usr/bin/less /var/log/auth.log",
    "/usr/bin/df -h", "/usr/bin/du -sh /var/lib/orthanc", "/usr/bin/mount -a",
    "/usr/bin/systemctl restart hl7-bridge", "/usr/sbin/reboot",
]
SUSPICIOUS_SUDO = [
    "/bin/bash", "/bin/sh", "/usr/bin/su -", "/usr/bin/passwd root", "/usr/sbin/useradd",
    "/usr/sbin/usermod -aG sudo", "/usr/bin/chattr -i", "/usr/sbin/iptables -F",
    "/usr/bin/crontab -e", "/usr/bin/base64 -d", "/usr/bin/nc -l", "/usr/bin/curl",
    "/usr/bin/wget", "/usr/bin/python3 -c", "/usr/bin/perl -e", "/usr/bin/vim /etc/shadow",
    "/usr/sbin/tcpdump", "/usr/sbin/visudo", "/usr/bin/systemctl stop auditd",
    "/usr/bin/systemctl disable apparmor", "/usr/sbin/setenforce 0", "/usr/bin/find / -perm",
    "/usr/bin/cat /etc/shadow", "/usr/bin/scp", "/usr/bin/rsync", "/usr/sbin/ufw disable",
    "/usr/bin/dd if=/dev/sda", "/usr/bin/shred", "/usr/bin/rm -rf /var/log",
    "/usr/bin/history -c", "/usr/sbin/userdel", "/usr/bin/ssh-keygen", "/usr/bin/nmap",
]

BENIGN_CRON = [
    "/usr/lib/sysstat/debian-sa1 1 1", "command -v debian-sa1 > /dev/null && debian-sa1 1 1",
    "/usr/local/bin/backup.sh >/dev/null 2>&1", "test -x /usr/sbin/anacron || run-parts --report /etc/cron.daily",
    "/usr/bin/php /var/www/glpi/front/cron.php", "/opt/orthanc/purge-old-studies.sh",
    "/usr/local/sbin/rotate-hl7-spool", "[ -x /usr/lib/php/sessionclean ] && /usr/lib/php/sessionclean",
    "/usr/bin/certbot -q renew", "/usr/local/bin/check_raid.sh",
]
SUSPICIOUS_CRON = [
    "curl -fsSL http://", "wget -q -O - http://", "/tmp/", "/dev/shm/", "base64 -d",
    "nc -e /bin/sh", "python -c", "bash -i >& /dev/tcp/", "chmod +x /tmp", "| sh",
    "xmrig", "kdevtmpfsi", "kinsing", ".x/", "/var/tmp/.",
]

BENIGN_PORTS = [80, 443, 53, 123, 8443, 161, 514, 25, 993, 3128]
SCANNED_PORTS = [22, 23, 445, 3389, 1433, 3306, 5432, 5900, 6379, 8080, 9200, 11211, 27017,
                 2375, 104, 2575, 11112, 135, 139, 21, 1521, 5985, 8888, 7547, 37215, 5060]

OOM_PROCS = ["java", "postgres", "mysqld", "Orthanc", "node", "python3", "clamd", "elasticsearch",
             "php-fpm7.4", "mono", "dotnet", "slapd", "named", "squid", "rsyslogd"]
APPARMOR_PROFILES = ["/usr/sbin/cupsd", "/usr/sbin/named", "/usr/sbin/mysqld", "/usr/bin/man",
                     "/usr/sbin/tcpdump", "/usr/sbin/ntpd", "snap.lxd.daemon", "/usr/sbin/sshd",
                     "/usr/lib/snapd/snap-confine", "docker-default", "nvidia_modprobe"]
APPARMOR_OPS = ["open", "exec", "mknod", "capable", "file_mmap", "connect", "ptrace", "mount"]
