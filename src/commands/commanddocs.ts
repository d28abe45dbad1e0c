// Short documentation for COMMAND DOCS, one command per line:
// name;since;group;complexity;deprecated-since;summary
// since, group and deprecation are facts about Redis 7.0's command set; the summaries and the
// abbreviated complexities are our own wording.

export const COMMAND_DOCS_TEXT = `
acl;6.0.0;server;Depends on subcommand;;Manage access control users and permissions
acl|cat;6.0.0;server;O(1);;List ACL categories, or the commands in one category
acl|deluser;6.0.0;server;O(1);;Remove ACL users and disconnect their clients
acl|dryrun;7.0.0;server;O(1);;Check whether a user could run a command, without running it
acl|genpass;6.0.0;server;O(1);;Produce a random password from a secure source
acl|getuser;6.0.0;server;O(N);;Show the rules of one ACL user
acl|help;6.0.0;server;O(1);;List the ACL subcommands
acl|list;6.0.0;server;O(N);;Show every ACL user as a config-file rule line
acl|load;6.0.0;server;O(N);;Reload users from the ACL file
acl|log;6.0.0;server;O(N);;Show or clear recent ACL denials
acl|save;6.0.0;server;O(N);;Write the current users to the ACL file
acl|setuser;6.0.0;server;O(N);;Create a user or change its rules
acl|users;6.0.0;server;O(N);;List ACL user names
acl|whoami;6.0.0;server;O(1);;Name of the user this connection is authenticated as
append;2.0.0;string;O(1);;Add bytes at the end of a string value
asking;3.0.0;cluster;O(1);;Allow the next command to target a slot being imported (cluster)
auth;1.0.0;connection;O(N);;Authenticate this connection
bgrewriteaof;1.0.0;server;O(1);;Rewrite the append-only file in the background
bgsave;1.0.0;server;O(1);;Save a snapshot of the dataset in the background
bitcount;2.6.0;bitmap;O(N);;Count the bits set to 1 in a string
bitfield;3.2.0;bitmap;O(1);;Read and write integer fields of arbitrary width inside a string
bitfield_ro;6.0.0;bitmap;O(1);;Read-only form of BITFIELD (GET only)
bitop;2.6.0;bitmap;O(N);;Combine strings bitwise (AND, OR, XOR, NOT) into a key
bitpos;2.8.7;bitmap;O(N);;Position of the first bit set to 0 or 1
blmove;6.2.0;list;O(1);;LMOVE that waits for an element when the source is empty
blmpop;7.0.0;list;O(N+M);;LMPOP that waits until one of the lists has elements
blpop;2.0.0;list;O(N);;Pop the first element of the first non-empty list, waiting if none
brpop;2.0.0;list;O(N);;Pop the last element of the first non-empty list, waiting if none
brpoplpush;2.2.0;list;O(1);6.2.0;RPOPLPUSH that waits for an element when the source is empty
bzmpop;7.0.0;sorted-set;O(K) + O(M*log(N));;ZMPOP that waits until one of the sorted sets has members
bzpopmax;5.0.0;sorted-set;O(log(N));;Pop the highest-scored member of the first non-empty sorted set, waiting if none
bzpopmin;5.0.0;sorted-set;O(log(N));;Pop the lowest-scored member of the first non-empty sorted set, waiting if none
client;2.4.0;connection;Depends on subcommand;;Inspect and control client connections
client|caching;6.0.0;connection;O(1);;Tell tracking whether the next command's keys are cached (OPTIN/OPTOUT)
client|getname;2.6.9;connection;O(1);;Name of this connection
client|getredir;6.0.0;connection;O(1);;Client ID tracking notifications are redirected to
client|help;5.0.0;connection;O(1);;List the CLIENT subcommands
client|id;5.0.0;connection;O(1);;Unique ID of this connection
client|info;6.2.0;connection;O(1);;Details of this connection, in CLIENT LIST format
client|kill;2.4.0;connection;O(N);;Close connections matching an address or filters
client|list;2.4.0;connection;O(N);;Details of every connection, one line each
client|no-evict;7.0.0;connection;O(1);;Exempt this connection from client eviction
client|pause;2.9.50;connection;O(1);;Hold client commands (all, or just writes) for a while
client|reply;3.2.0;connection;O(1);;Turn server replies to this connection on, off, or skip the next
client|setname;2.6.9;connection;O(1);;Give this connection a name
client|setinfo;7.2.0;connection;O(1);;Record the client library name or version for this connection
client|tracking;6.0.0;connection;O(1);;Turn server-assisted client-side caching on or off
client|trackinginfo;6.2.0;connection;O(1);;Show this connection's tracking settings
client|unblock;5.0.0;connection;O(log N);;Wake a client waiting in a blocking command
client|unpause;6.2.0;connection;O(N);;End a CLIENT PAUSE early
cluster;3.0.0;cluster;Depends on subcommand;;Cluster management commands
cluster|addslots;3.0.0;cluster;O(N);;Assign hash slots to this node
cluster|addslotsrange;7.0.0;cluster;O(N);;Assign ranges of hash slots to this node
cluster|bumpepoch;3.0.0;cluster;O(1);;Increase this node's config epoch
cluster|count-failure-reports;3.0.0;cluster;O(N);;Number of failure reports about a node
cluster|countkeysinslot;3.0.0;cluster;O(1);;Number of keys in a hash slot
cluster|delslots;3.0.0;cluster;O(N);;Remove hash slots from this node
cluster|delslotsrange;7.0.0;cluster;O(N);;Remove ranges of hash slots from this node
cluster|failover;3.0.0;cluster;O(1);;Make a replica take over its master
cluster|flushslots;3.0.0;cluster;O(1);;Remove every slot from this node
cluster|forget;3.0.0;cluster;O(1);;Drop a node from this node's table
cluster|getkeysinslot;3.0.0;cluster;O(log(N));;Key names stored in a hash slot
cluster|help;5.0.0;cluster;O(1);;List the CLUSTER subcommands
cluster|info;3.0.0;cluster;O(1);;Cluster state summary
cluster|keyslot;3.0.0;cluster;O(N);;Hash slot of a key name
cluster|links;7.0.0;cluster;O(N);;Connections of this node to its peers
cluster|meet;3.0.0;cluster;O(1);;Connect this node to another cluster node
cluster|myid;3.0.0;cluster;O(1);;ID of this node
cluster|nodes;3.0.0;cluster;O(N);;Cluster configuration as seen by this node
cluster|replicas;5.0.0;cluster;O(1);;Replicas of a master node
cluster|replicate;3.0.0;cluster;O(1);;Make this node a replica of another
cluster|reset;3.0.0;cluster;O(N);;Reset this node's cluster state
cluster|saveconfig;3.0.0;cluster;O(1);;Write the cluster configuration to disk
cluster|set-config-epoch;3.0.0;cluster;O(1);;Set the config epoch of a new node
cluster|setslot;3.0.0;cluster;O(1);;Change the state of a hash slot
cluster|shards;7.0.0;cluster;O(N);;Slot ranges and nodes of each shard
cluster|slaves;3.0.0;cluster;O(1);5.0.0;Replicas of a master node (old name)
cluster|slots;3.0.0;cluster;O(N);7.0.0;Slot ranges mapped to nodes
command;2.8.13;server;O(N);;Describe the server's commands
command|count;2.8.13;server;O(1);;Number of commands
command|docs;7.0.0;server;O(N);;Short documentation for commands
command|getkeys;2.8.13;server;O(N);;Key arguments of a full command line
command|getkeysandflags;7.0.0;server;O(N);;Key arguments of a full command line, with access flags
command|help;5.0.0;server;O(1);;List the COMMAND subcommands
command|info;2.8.13;server;O(N);;Arity, flags, keys and categories of commands
command|list;7.0.0;server;O(N);;Command names, optionally filtered
config;2.0.0;server;Depends on subcommand;;Read and change the server configuration
config|get;2.0.0;server;O(N);;Values of configuration parameters matching patterns
config|help;5.0.0;server;O(1);;List the CONFIG subcommands
config|resetstat;2.0.0;server;O(1);;Zero the statistics reported by INFO
config|rewrite;2.8.0;server;O(1);;Write the running configuration back to the config file
config|set;2.0.0;server;O(N);;Change configuration parameters at run time
copy;6.2.0;generic;O(N);;Duplicate a key's value under another name
dbsize;1.0.0;server;O(1);;Number of keys in the current database
debug;1.0.0;server;Depends on subcommand;;Diagnostic and testing commands
decr;1.0.0;string;O(1);;Subtract one from an integer value
decrby;1.0.0;string;O(1);;Subtract an amount from an integer value
del;1.0.0;generic;O(N);;Remove keys
discard;2.0.0;transactions;O(N);;Drop the commands queued after MULTI
dump;2.6.0;generic;O(1);;Serialize a key's value
echo;1.0.0;connection;O(1);;Reply with the given message
eval;2.6.0;scripting;Depends on the script;;Run a Lua script
eval_ro;7.0.0;scripting;Depends on the script;;Run a read-only Lua script
evalsha;2.6.0;scripting;Depends on the script;;Run a cached Lua script by its SHA1
evalsha_ro;7.0.0;scripting;Depends on the script;;Run a cached read-only Lua script by its SHA1
exec;1.2.0;transactions;Depends on the queued commands;;Run the commands queued after MULTI
exists;1.0.0;generic;O(N);;Count how many of the given keys exist
expire;1.0.0;generic;O(1);;Set a key's time to live in seconds
expireat;1.2.0;generic;O(1);;Set a key's expiry as a Unix time in seconds
expiretime;7.0.0;generic;O(1);;Expiry of a key as a Unix time in seconds
failover;6.2.0;server;O(1);;Hand the master role over to a replica
fcall;7.0.0;scripting;Depends on the function;;Call a library function
fcall_ro;7.0.0;scripting;Depends on the function;;Call a read-only library function
flushall;1.0.0;server;O(N);;Delete every key of every database
flushdb;1.0.0;server;O(N);;Delete every key of the current database
function;7.0.0;scripting;Depends on subcommand;;Manage server-side function libraries
function|delete;7.0.0;scripting;O(1);;Remove a function library
function|dump;7.0.0;scripting;O(N);;Serialize every function library
function|flush;7.0.0;scripting;O(N);;Remove every function library
function|help;7.0.0;scripting;O(1);;List the FUNCTION subcommands
function|kill;7.0.0;scripting;O(1);;Stop the running read-only function
function|list;7.0.0;scripting;O(N);;Describe the loaded libraries and their functions
function|load;7.0.0;scripting;O(1);;Load a function library from source
function|restore;7.0.0;scripting;O(N);;Load libraries from a FUNCTION DUMP payload
function|stats;7.0.0;scripting;O(1);;State of the running function and engines
geoadd;3.2.0;geo;O(log(N));;Add members with longitude/latitude to a geospatial index
geodist;3.2.0;geo;O(log(N));;Distance between two members of a geospatial index
geohash;3.2.0;geo;O(log(N));;Geohash strings of members
geopos;3.2.0;geo;O(N);;Longitude and latitude of members
georadius;3.2.0;geo;O(N+log(M));6.2.0;Members within a radius of a point, optionally stored
georadius_ro;3.2.10;geo;O(N+log(M));6.2.0;Members within a radius of a point
georadiusbymember;3.2.0;geo;O(N+log(M));6.2.0;Members within a radius of another member, optionally stored
georadiusbymember_ro;3.2.10;geo;O(N+log(M));6.2.0;Members within a radius of another member
geosearch;6.2.0;geo;O(N+log(M));;Members inside a circle or box
geosearchstore;6.2.0;geo;O(N+log(M));;Store the members inside a circle or box in a key
get;1.0.0;string;O(1);;Value of a string key
getbit;2.2.0;bitmap;O(1);;Bit at an offset of a string
getdel;6.2.0;string;O(1);;Return a string value and delete the key
getex;6.2.0;string;O(1);;Return a string value and change its expiry
getrange;2.4.0;string;O(N);;Part of a string between two offsets
getset;1.0.0;string;O(1);6.2.0;Set a string value and return the previous one
hdel;2.0.0;hash;O(N);;Remove fields from a hash
hello;6.0.0;connection;O(1);;Choose the protocol version, optionally authenticate and name the connection
hexists;2.0.0;hash;O(1);;Whether a hash has a field
hget;2.0.0;hash;O(1);;Value of a hash field
hgetall;2.0.0;hash;O(N);;Every field and value of a hash
hincrby;2.0.0;hash;O(1);;Add an integer to a hash field
hincrbyfloat;2.6.0;hash;O(1);;Add a floating-point number to a hash field
hkeys;2.0.0;hash;O(N);;Every field name of a hash
hlen;2.0.0;hash;O(1);;Number of fields in a hash
hmget;2.0.0;hash;O(N);;Values of several hash fields
hmset;2.0.0;hash;O(N);4.0.0;Set several hash fields
hrandfield;6.2.0;hash;O(N);;Random fields of a hash
hscan;2.8.0;hash;O(1);;Iterate over the fields of a hash
hset;2.0.0;hash;O(1);;Set hash fields
hsetnx;2.0.0;hash;O(1);;Set a hash field only if it does not exist
hstrlen;3.2.0;hash;O(1);;Length of a hash field's value
hvals;2.0.0;hash;O(N);;Every value of a hash
incr;1.0.0;string;O(1);;Add one to an integer value
incrby;1.0.0;string;O(1);;Add an integer to an integer value
incrbyfloat;2.6.0;string;O(1);;Add a floating-point number to a value
info;1.0.0;server;O(1);;Server information and statistics
keys;1.0.0;generic;O(N);;Key names matching a pattern
lastsave;1.0.0;server;O(1);;Unix time of the last successful save
latency;2.8.13;server;Depends on subcommand;;Latency monitoring commands
latency|doctor;2.8.13;server;O(1);;Human-readable latency analysis
latency|graph;2.8.13;server;O(1);;ASCII graph of an event's latency
latency|help;2.8.13;server;O(1);;List the LATENCY subcommands
latency|histogram;7.0.0;server;O(N);;Latency histograms of commands
latency|history;2.8.13;server;O(1);;Latency samples of an event
latency|latest;2.8.13;server;O(1);;Latest latency sample of each event
latency|reset;2.8.13;server;O(1);;Clear latency samples
lcs;7.0.0;string;O(N*M);;Longest common subsequence of two strings
lindex;1.0.0;list;O(N);;Element of a list at an index
linsert;2.2.0;list;O(N);;Insert an element before or after another in a list
llen;1.0.0;list;O(1);;Length of a list
lmove;6.2.0;list;O(1);;Pop from one end of a list and push onto another list
lmpop;7.0.0;list;O(N+M);;Pop elements from the first non-empty list
lolwut;5.0.0;server;;;Draw a picture and show the server version
lpop;1.0.0;list;O(N);;Remove and return elements from the head of a list
lpos;6.0.6;list;O(N);;Index of matching elements in a list
lpush;1.0.0;list;O(1);;Add elements at the head of a list
lpushx;2.2.0;list;O(1);;Add elements at the head of an existing list
lrange;1.0.0;list;O(S+N);;Elements of a list between two indexes
lrem;1.0.0;list;O(N+M);;Remove occurrences of an element from a list
lset;1.0.0;list;O(N);;Replace the list element at an index
ltrim;1.0.0;list;O(N);;Keep only a range of a list
memory;4.0.0;server;Depends on subcommand;;Memory introspection commands
memory|doctor;4.0.0;server;O(1);;Human-readable memory analysis
memory|help;4.0.0;server;O(1);;List the MEMORY subcommands
memory|malloc-stats;4.0.0;server;Depends on the allocator;;Allocator statistics
memory|purge;4.0.0;server;Depends on the allocator;;Ask the allocator to release memory
memory|stats;4.0.0;server;O(1);;Memory usage breakdown
memory|usage;4.0.0;server;O(N);;Bytes used by a key and its value
mget;1.0.0;string;O(N);;Values of several string keys
migrate;2.6.0;generic;O(N);;Move keys to another server
module;4.0.0;server;Depends on subcommand;;Manage loadable modules
module|help;5.0.0;server;O(1);;List the MODULE subcommands
module|list;4.0.0;server;O(N);;Loaded modules
module|load;4.0.0;server;O(1);;Load a module
module|loadex;7.0.0;server;O(1);;Load a module with configuration
module|unload;4.0.0;server;O(1);;Unload a module
monitor;1.0.0;server;;;Stream every command the server processes
move;1.0.0;generic;O(1);;Move a key to another database
mset;1.0.1;string;O(N);;Set several string keys
msetnx;1.0.1;string;O(N);;Set several string keys only if none exists
multi;1.2.0;transactions;O(1);;Start queueing commands for EXEC
object;2.2.3;generic;Depends on subcommand;;Inspect the internals of values
object|encoding;2.2.3;generic;O(1);;Internal encoding of a value
object|freq;4.0.0;generic;O(1);;Access frequency counter of a key (LFU)
object|help;6.2.0;generic;O(1);;List the OBJECT subcommands
object|idletime;2.2.3;generic;O(1);;Seconds since a key was last accessed
object|refcount;2.2.3;generic;O(1);;Reference count of a value
persist;2.2.0;generic;O(1);;Remove a key's expiry
pexpire;2.6.0;generic;O(1);;Set a key's time to live in milliseconds
pexpireat;2.6.0;generic;O(1);;Set a key's expiry as a Unix time in milliseconds
pexpiretime;7.0.0;generic;O(1);;Expiry of a key as a Unix time in milliseconds
pfadd;2.8.9;hyperloglog;O(1);;Add elements to a HyperLogLog
pfcount;2.8.9;hyperloglog;O(1);;Estimated cardinality of HyperLogLogs
pfdebug;2.8.9;hyperloglog;;;Internal HyperLogLog diagnostics
pfmerge;2.8.9;hyperloglog;O(N);;Merge HyperLogLogs into one
pfselftest;2.8.9;hyperloglog;;;Internal HyperLogLog self test
ping;1.0.0;connection;O(1);;Check the connection
psetex;2.6.0;string;O(1);;Set a string with a time to live in milliseconds
psubscribe;2.0.0;pubsub;O(N);;Receive messages for channels matching patterns
psync;2.8.0;server;;;Internal command used by replicas
pttl;2.6.0;generic;O(1);;Remaining time to live of a key in milliseconds
publish;2.0.0;pubsub;O(N+M);;Send a message to a channel
pubsub;2.8.0;pubsub;Depends on subcommand;;Inspect the publish/subscribe state
pubsub|channels;2.8.0;pubsub;O(N);;Channels with subscribers
pubsub|help;6.2.0;pubsub;O(1);;List the PUBSUB subcommands
pubsub|numpat;2.8.0;pubsub;O(1);;Number of pattern subscriptions
pubsub|numsub;2.8.0;pubsub;O(N);;Subscriber counts of channels
pubsub|shardchannels;7.0.0;pubsub;O(N);;Shard channels with subscribers
pubsub|shardnumsub;7.0.0;pubsub;O(N);;Subscriber counts of shard channels
punsubscribe;2.0.0;pubsub;O(N+M);;Stop receiving messages for patterns
quit;1.0.0;connection;O(1);;Close the connection
randomkey;1.0.0;generic;O(1);;A random key name
readonly;3.0.0;cluster;O(1);;Allow reads from a cluster replica
readwrite;3.0.0;cluster;O(1);;Stop reading from a cluster replica
rename;1.0.0;generic;O(1);;Rename a key
renamenx;1.0.0;generic;O(1);;Rename a key only if the new name is free
replconf;3.0.0;server;O(1);;Internal command used by replicas
replicaof;5.0.0;server;O(1);;Replicate another server, or stop replicating
reset;6.2.0;connection;O(1);;Return the connection to its initial state
restore;2.6.0;generic;O(1);;Create a key from a DUMP payload
restore-asking;3.0.0;server;O(1);;Internal command used by cluster migration
role;2.8.12;server;O(1);;Replication role of the server
rpop;1.0.0;list;O(N);;Remove and return elements from the tail of a list
rpoplpush;1.2.0;list;O(1);6.2.0;Move the last element of a list to the head of another
rpush;1.0.0;list;O(1);;Add elements at the tail of a list
rpushx;2.2.0;list;O(1);;Add elements at the tail of an existing list
sadd;1.0.0;set;O(1);;Add members to a set
save;1.0.0;server;O(N);;Save a snapshot of the dataset synchronously
scan;2.8.0;generic;O(1);;Iterate over key names
scard;1.0.0;set;O(1);;Number of members of a set
script;2.6.0;scripting;Depends on subcommand;;Manage the Lua script cache
script|debug;3.2.0;scripting;O(1);;Choose the Lua debugger mode
script|exists;2.6.0;scripting;O(N);;Whether scripts are in the cache
script|flush;2.6.0;scripting;O(N);;Empty the script cache
script|help;5.0.0;scripting;O(1);;List the SCRIPT subcommands
script|kill;2.6.0;scripting;O(1);;Stop the running read-only script
script|load;2.6.0;scripting;O(N);;Add a script to the cache without running it
sdiff;1.0.0;set;O(N);;Members of the first set absent from the others
sdiffstore;1.0.0;set;O(N);;Store the difference of sets in a key
select;1.0.0;connection;O(1);;Switch to another database
set;1.0.0;string;O(1);;Set a string value, with expiry and conditions
setbit;2.2.0;bitmap;O(1);;Set or clear a bit of a string
setex;2.0.0;string;O(1);;Set a string with a time to live in seconds
setnx;1.0.0;string;O(1);;Set a string only if the key does not exist
setrange;2.2.0;string;O(1);;Overwrite part of a string at an offset
shutdown;1.0.0;server;O(N);;Stop the server, optionally saving first
sinter;1.0.0;set;O(N*M);;Members present in every given set
sintercard;7.0.0;set;O(N*M);;Number of members present in every given set
sinterstore;1.0.0;set;O(N*M);;Store the intersection of sets in a key
sismember;1.0.0;set;O(1);;Whether a value is a member of a set
slaveof;1.0.0;server;O(1);5.0.0;Replicate another server, or stop replicating (old name)
slowlog;2.2.12;server;Depends on subcommand;;Inspect the slow command log
slowlog|get;2.2.12;server;O(N);;Entries of the slow log
slowlog|help;6.2.0;server;O(1);;List the SLOWLOG subcommands
slowlog|len;2.2.12;server;O(1);;Number of entries in the slow log
slowlog|reset;2.2.12;server;O(N);;Clear the slow log
smembers;1.0.0;set;O(N);;Every member of a set
smismember;6.2.0;set;O(N);;Membership of several values in a set
smove;1.0.0;set;O(1);;Move a member from one set to another
sort;1.0.0;generic;O(N+M*log(M));;Sort a list, set or sorted set, optionally storing the result
sort_ro;7.0.0;generic;O(N+M*log(M));;Sort a list, set or sorted set
spop;1.0.0;set;O(1), O(N) with a count;;Remove and return random members of a set
spublish;7.0.0;pubsub;O(N);;Send a message to a shard channel
srandmember;1.0.0;set;O(1), O(N) with a count;;Random members of a set
srem;1.0.0;set;O(N);;Remove members from a set
sscan;2.8.0;set;O(1);;Iterate over the members of a set
ssubscribe;7.0.0;pubsub;O(N);;Receive messages from shard channels
strlen;2.2.0;string;O(1);;Length of a string value
subscribe;2.0.0;pubsub;O(N);;Receive messages from channels
substr;1.0.0;string;O(N);2.0.0;Part of a string between two offsets (old name of GETRANGE)
sunion;1.0.0;set;O(N);;Members of any of the given sets
sunionstore;1.0.0;set;O(N);;Store the union of sets in a key
sunsubscribe;7.0.0;pubsub;O(N);;Stop receiving messages from shard channels
swapdb;4.0.0;server;O(N);;Exchange the contents of two databases
sync;1.0.0;server;;;Internal command used by replicas
time;2.6.0;server;O(1);;Server clock as seconds and microseconds
touch;3.2.1;generic;O(N);;Update the access time of keys and count the existing ones
ttl;1.0.0;generic;O(1);;Remaining time to live of a key in seconds
type;1.0.0;generic;O(1);;Type of the value stored at a key
unlink;4.0.0;generic;O(1);;Remove keys, reclaiming memory later
unsubscribe;2.0.0;pubsub;O(N);;Stop receiving messages from channels
unwatch;2.2.0;transactions;O(1);;Forget the keys watched by WATCH
wait;3.0.0;generic;O(1);;Wait for writes to reach replicas
watch;2.2.0;transactions;O(1);;Make the next EXEC conditional on keys staying unchanged
xack;5.0.0;stream;O(1);;Acknowledge stream messages of a consumer group
xadd;5.0.0;stream;O(1);;Append an entry to a stream
xautoclaim;6.2.0;stream;O(1);;Take over pending messages idle for too long
xclaim;5.0.0;stream;O(log N);;Take over pending messages of another consumer
xdel;5.0.0;stream;O(1);;Remove entries from a stream
xgroup;5.0.0;stream;Depends on subcommand;;Manage stream consumer groups
xgroup|create;5.0.0;stream;O(1);;Create a consumer group
xgroup|createconsumer;6.2.0;stream;O(1);;Create a consumer in a group
xgroup|delconsumer;5.0.0;stream;O(1);;Remove a consumer from a group
xgroup|destroy;5.0.0;stream;O(N);;Remove a consumer group
xgroup|help;5.0.0;stream;O(1);;List the XGROUP subcommands
xgroup|setid;5.0.0;stream;O(1);;Move a consumer group's last delivered ID
xinfo;5.0.0;stream;Depends on subcommand;;Inspect streams and consumer groups
xinfo|consumers;5.0.0;stream;O(1);;Consumers of a group
xinfo|groups;5.0.0;stream;O(1);;Consumer groups of a stream
xinfo|help;5.0.0;stream;O(1);;List the XINFO subcommands
xinfo|stream;5.0.0;stream;O(1);;Details of a stream
xlen;5.0.0;stream;O(1);;Number of entries in a stream
xpending;5.0.0;stream;O(N);;Pending messages of a consumer group
xrange;5.0.0;stream;O(N);;Stream entries between two IDs
xread;5.0.0;stream;O(N) per stream;;Read entries from streams, optionally waiting for new ones
xreadgroup;5.0.0;stream;O(N) per stream;;Read entries for a consumer group, optionally waiting
xrevrange;5.0.0;stream;O(N);;Stream entries between two IDs, newest first
xsetid;5.0.0;stream;O(1);;Set a stream's last ID
xtrim;5.0.0;stream;O(N);;Drop old entries of a stream
zadd;1.2.0;sorted-set;O(log(N));;Add members with scores to a sorted set, or update scores
zcard;1.2.0;sorted-set;O(1);;Number of members of a sorted set
zcount;2.0.0;sorted-set;O(log(N));;Number of members with scores in a range
zdiff;6.2.0;sorted-set;O(L + (N-K)log(N));;Members of the first sorted set absent from the others
zdiffstore;6.2.0;sorted-set;O(L + (N-K)log(N));;Store the difference of sorted sets in a key
zincrby;1.2.0;sorted-set;O(log(N));;Add to the score of a member
zinter;6.2.0;sorted-set;O(N*K)+O(M*log(M));;Intersection of sorted sets
zintercard;7.0.0;sorted-set;O(N*K);;Number of members in the intersection of sorted sets
zinterstore;2.0.0;sorted-set;O(N*K)+O(M*log(M));;Store the intersection of sorted sets in a key
zlexcount;2.8.9;sorted-set;O(log(N));;Number of members in a lexicographical range
zmpop;7.0.0;sorted-set;O(K) + O(M*log(N));;Pop the highest or lowest members of the first non-empty sorted set
zmscore;6.2.0;sorted-set;O(N);;Scores of several members
zpopmax;5.0.0;sorted-set;O(log(N)*M);;Remove and return the highest-scored members
zpopmin;5.0.0;sorted-set;O(log(N)*M);;Remove and return the lowest-scored members
zrandmember;6.2.0;sorted-set;O(N);;Random members of a sorted set
zrange;1.2.0;sorted-set;O(log(N)+M);;Members in a range of ranks, scores or names
zrangebylex;2.8.9;sorted-set;O(log(N)+M);6.2.0;Members in a lexicographical range
zrangebyscore;1.0.5;sorted-set;O(log(N)+M);6.2.0;Members in a score range
zrangestore;6.2.0;sorted-set;O(log(N)+M);;Store a range of a sorted set in a key
zrank;2.0.0;sorted-set;O(log(N));;Rank of a member, lowest score first
zrem;1.2.0;sorted-set;O(M*log(N));;Remove members from a sorted set
zremrangebylex;2.8.9;sorted-set;O(log(N)+M);;Remove members in a lexicographical range
zremrangebyrank;2.0.0;sorted-set;O(log(N)+M);;Remove members in a range of ranks
zremrangebyscore;1.2.0;sorted-set;O(log(N)+M);;Remove members in a score range
zrevrange;1.2.0;sorted-set;O(log(N)+M);6.2.0;Members in a range of ranks, highest score first
zrevrangebylex;2.8.9;sorted-set;O(log(N)+M);6.2.0;Members in a lexicographical range, in reverse order
zrevrangebyscore;2.2.0;sorted-set;O(log(N)+M);6.2.0;Members in a score range, highest first
zrevrank;2.0.0;sorted-set;O(log(N));;Rank of a member, highest score first
zscan;2.8.0;sorted-set;O(1);;Iterate over the members and scores of a sorted set
zscore;1.2.0;sorted-set;O(1);;Score of a member
zunion;6.2.0;sorted-set;O(N)+O(M*log(M));;Union of sorted sets
zunionstore;2.0.0;sorted-set;O(N)+O(M log(M));;Store the union of sorted sets in a key
`;
