/*
 * A simulated libnvidia-ml.so.1 for tests: the NVML entry points a monitoring agent uses, with the
 * real signatures, struct layouts and return codes, answering from a scenario file instead of a GPU.
 *
 * The scenario is `scenario.txt` in the library's own directory (or the file named by
 * TESSERA_SIM_GPU_SCENARIO). It is re-read whenever it changes, so a test can change values or
 * inject faults while a reader runs. One line per setting, `<scope> <key> <value>`:
 *
 *   system driverVersion 550.90.07        scope `system`, `gpu.<index>` or `gpu.<index>.mig.<slot>`
 *   gpu.0 power.usage 312480              a value (numbers, or the rest of the line for strings)
 *   gpu.0 error:power.usage 3             the call that reads power.usage returns NVML code 3
 *   gpu.0 hang:power.usage 1              that call blocks until the line is removed
 *   gpu.0 lost 1                          every call on the GPU returns NVML_ERROR_GPU_IS_LOST
 *   system xid.1 0 79 4294967295          XID event 1: GPU 0, XID 79, no GPU instance
 *
 * Calls are thread-safe: a binding may issue them from several worker threads at once.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fake-nvml.h"

#define MAX_GPUS 64
#define MAX_MIG 8
#define MAX_ENTRIES 4096
#define MAX_XID 1024
/* A hung call gives up after this long, so a forgotten fault cannot keep a test process alive forever. */
#define HANG_LIMIT_SECONDS 600

struct fake_device {
  int gpu;
  int slot; /* -1 for the physical GPU, else the MIG device's slot */
};

struct fake_gpu_instance {
  int gpu;
  int slot;
};

struct fake_event_set {
  unsigned long long registered[MAX_GPUS];
  long delivered; /* the highest XID sequence number already returned */
};

struct fake_gpm_sample {
  int gpu;
  int slot;
  int taken;
};

typedef struct {
  char scope[32];
  char key[64];
  char value[160];
} entry_t;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static entry_t entries[MAX_ENTRIES];
static int entry_count;
static char scenario_path[PATH_MAX];
static struct stat scenario_stat;
static int initialized;
static struct fake_device gpu_handles[MAX_GPUS];
static struct fake_device mig_handles[MAX_GPUS][MAX_MIG];
static struct fake_gpu_instance instance_handles[MAX_GPUS][MAX_MIG];

static void find_scenario_path(void) {
  const char *override = getenv("TESSERA_SIM_GPU_SCENARIO");
  if (override != NULL && override[0] != '\0') {
    snprintf(scenario_path, sizeof scenario_path, "%s", override);
    return;
  }
  Dl_info info;
  char self[PATH_MAX] = ".";
  if (dladdr((void *)&nvmlInit_v2, &info) != 0 && info.dli_fname != NULL) snprintf(self, sizeof self, "%s", info.dli_fname);
  snprintf(scenario_path, sizeof scenario_path, "%s/scenario.txt", dirname(self));
}

/* Re-reads the scenario when the file changed (a writer replaces it with a rename). Caller holds the lock. */
static void reload_locked(void) {
  if (scenario_path[0] == '\0') find_scenario_path();
  struct stat now;
  if (stat(scenario_path, &now) != 0) {
    entry_count = 0;
    memset(&scenario_stat, 0, sizeof scenario_stat);
    return;
  }
  if (now.st_ino == scenario_stat.st_ino && now.st_size == scenario_stat.st_size && now.st_mtim.tv_sec == scenario_stat.st_mtim.tv_sec &&
      now.st_mtim.tv_nsec == scenario_stat.st_mtim.tv_nsec)
    return;
  FILE *file = fopen(scenario_path, "r");
  if (file == NULL) return;
  scenario_stat = now;
  entry_count = 0;
  char line[512];
  while (fgets(line, sizeof line, file) != NULL && entry_count < MAX_ENTRIES) {
    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] == '#' || line[0] == '\0') continue;
    char *scope = strtok(line, " ");
    char *key = strtok(NULL, " ");
    char *value = strtok(NULL, "");
    if (scope == NULL || key == NULL) continue;
    entry_t *entry = &entries[entry_count++];
    snprintf(entry->scope, sizeof entry->scope, "%s", scope);
    snprintf(entry->key, sizeof entry->key, "%s", key);
    snprintf(entry->value, sizeof entry->value, "%s", value == NULL ? "" : value);
  }
  fclose(file);
}

static void scope_of(int gpu, int slot, char *scope, size_t size) {
  if (gpu < 0) snprintf(scope, size, "system");
  else if (slot < 0) snprintf(scope, size, "gpu.%d", gpu);
  else snprintf(scope, size, "gpu.%d.mig.%d", gpu, slot);
}

/* The value of `key` in a scope, or NULL. Caller holds the lock; the pointer is valid until the next reload. */
static const char *find_locked(int gpu, int slot, const char *key) {
  char scope[32];
  scope_of(gpu, slot, scope, sizeof scope);
  for (int i = 0; i < entry_count; i++) {
    if (strcmp(entries[i].scope, scope) == 0 && strcmp(entries[i].key, key) == 0) return entries[i].value;
  }
  return NULL;
}

static int has_locked(int gpu, int slot, const char *prefix, const char *key) {
  char full[96];
  snprintf(full, sizeof full, "%s%s", prefix, key);
  return find_locked(gpu, slot, full) != NULL;
}

static int gpu_count_locked(void) {
  int count = 0;
  for (int i = 0; i < entry_count; i++) {
    int gpu;
    if (sscanf(entries[i].scope, "gpu.%d", &gpu) == 1 && gpu + 1 > count && gpu < MAX_GPUS) count = gpu + 1;
  }
  return count;
}

static int mig_count_locked(int gpu) {
  int count = 0;
  char prefix[32];
  snprintf(prefix, sizeof prefix, "gpu.%d.mig.", gpu);
  for (int i = 0; i < entry_count; i++) {
    if (strncmp(entries[i].scope, prefix, strlen(prefix)) == 0) {
      int slot = atoi(entries[i].scope + strlen(prefix));
      if (slot + 1 > count && slot < MAX_MIG) count = slot + 1;
    }
  }
  return count;
}

static void sleep_ms(long milliseconds) {
  struct timespec delay = {milliseconds / 1000, (milliseconds % 1000) * 1000000L};
  while (nanosleep(&delay, &delay) != 0 && errno == EINTR) {
  }
}

/* Blocks while the scenario says this call hangs (re-reading it), then returns with the lock held. */
static void wait_while_hung_locked(int gpu, int slot, const char *key) {
  time_t started = time(NULL);
  for (;;) {
    reload_locked();
    if (!has_locked(gpu, slot, "hang:", key) && (slot < 0 || !has_locked(gpu, -1, "hang:", key))) return;
    if (time(NULL) - started > HANG_LIMIT_SECONDS) return;
    pthread_mutex_unlock(&lock);
    sleep_ms(20);
    pthread_mutex_lock(&lock);
  }
}

/*
 * The outcome of reading `key` on a device: hangs if told to, then NVML_ERROR_GPU_IS_LOST for a lost
 * GPU, the injected error code, NOT_SUPPORTED when the scenario has no value, else NVML_SUCCESS with
 * the value copied into `out`. A MIG device falls back to its parent's value and faults.
 */
static nvmlReturn_t lookup(nvmlDevice_t device, const char *key, char *out, size_t size) {
  if (device == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  pthread_mutex_lock(&lock);
  nvmlReturn_t result = NVML_SUCCESS;
  if (!initialized) {
    result = NVML_ERROR_UNINITIALIZED;
    goto done;
  }
  wait_while_hung_locked(device->gpu, device->slot, key);
  if (find_locked(device->gpu, -1, "lost") != NULL) {
    result = NVML_ERROR_GPU_IS_LOST;
    goto done;
  }
  for (int slot = device->slot;; slot = -1) {
    char error_key[96];
    snprintf(error_key, sizeof error_key, "error:%s", key);
    const char *error = find_locked(device->gpu, slot, error_key);
    if (error != NULL) {
      result = atoi(error);
      goto done;
    }
    const char *value = find_locked(device->gpu, slot, key);
    if (value != NULL) {
      if (out != NULL) snprintf(out, size, "%s", value);
      goto done;
    }
    if (slot < 0) break;
  }
  result = NVML_ERROR_NOT_SUPPORTED;
done:
  pthread_mutex_unlock(&lock);
  return result;
}

static nvmlReturn_t lookup_number(nvmlDevice_t device, const char *key, double *value) {
  char text[160];
  nvmlReturn_t result = lookup(device, key, text, sizeof text);
  if (result == NVML_SUCCESS) *value = strtod(text, NULL);
  return result;
}

static nvmlReturn_t lookup_uint(nvmlDevice_t device, const char *key, unsigned int *value) {
  if (value == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  double number;
  nvmlReturn_t result = lookup_number(device, key, &number);
  if (result == NVML_SUCCESS) *value = (unsigned int)number;
  return result;
}

static nvmlReturn_t lookup_string(nvmlDevice_t device, const char *key, char *buffer, unsigned int length) {
  if (buffer == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  char text[160];
  nvmlReturn_t result = lookup(device, key, text, sizeof text);
  if (result != NVML_SUCCESS) return result;
  if (strlen(text) + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
  memcpy(buffer, text, strlen(text) + 1);
  return NVML_SUCCESS;
}

/* Reads a system-scope string; `key` may hang or fail like a device value. */
static nvmlReturn_t lookup_system(const char *key, char *buffer, unsigned int length) {
  static struct fake_device system_scope = {-1, -1};
  return lookup_string(&system_scope, key, buffer, length);
}

nvmlReturn_t nvmlInit_v2(void) {
  pthread_mutex_lock(&lock);
  wait_while_hung_locked(-1, -1, "init");
  const char *error = find_locked(-1, -1, "error:init");
  nvmlReturn_t result = error == NULL ? NVML_SUCCESS : atoi(error);
  if (result == NVML_SUCCESS) initialized++;
  for (int gpu = 0; gpu < MAX_GPUS; gpu++) {
    gpu_handles[gpu] = (struct fake_device){gpu, -1};
    for (int slot = 0; slot < MAX_MIG; slot++) {
      mig_handles[gpu][slot] = (struct fake_device){gpu, slot};
      instance_handles[gpu][slot] = (struct fake_gpu_instance){gpu, slot};
    }
  }
  pthread_mutex_unlock(&lock);
  return result;
}

nvmlReturn_t nvmlShutdown(void) {
  pthread_mutex_lock(&lock);
  nvmlReturn_t result = initialized > 0 ? NVML_SUCCESS : NVML_ERROR_UNINITIALIZED;
  if (initialized > 0) initialized--;
  pthread_mutex_unlock(&lock);
  return result;
}

const char *nvmlErrorString(nvmlReturn_t result) {
  switch (result) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
    case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
    case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case NVML_ERROR_NO_PERMISSION: return "Insufficient Permissions";
    case NVML_ERROR_NOT_FOUND: return "Not Found";
    case NVML_ERROR_INSUFFICIENT_SIZE: return "Insufficient Size";
    case NVML_ERROR_DRIVER_NOT_LOADED: return "Driver Not Loaded";
    case NVML_ERROR_TIMEOUT: return "Timeout";
    case NVML_ERROR_LIBRARY_NOT_FOUND: return "NVML Shared Library Not Found";
    case NVML_ERROR_FUNCTION_NOT_FOUND: return "Function Not Found";
    case NVML_ERROR_GPU_IS_LOST: return "GPU is lost";
    case NVML_ERROR_RESET_REQUIRED: return "GPU requires reset";
    case NVML_ERROR_ARGUMENT_VERSION_MISMATCH: return "Argument version mismatch";
    case NVML_ERROR_DEPRECATED: return "Requested functionality has been deprecated";
    default: return "Unknown Error";
  }
}

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length) { return lookup_system("driverVersion", version, length); }
nvmlReturn_t nvmlSystemGetNVMLVersion(char *version, unsigned int length) { return lookup_system("nvmlVersion", version, length); }

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *deviceCount) {
  if (deviceCount == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  pthread_mutex_lock(&lock);
  nvmlReturn_t result = NVML_SUCCESS;
  if (!initialized) result = NVML_ERROR_UNINITIALIZED;
  else {
    wait_while_hung_locked(-1, -1, "count");
    *deviceCount = (unsigned int)gpu_count_locked();
  }
  pthread_mutex_unlock(&lock);
  return result;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
  if (device == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  pthread_mutex_lock(&lock);
  nvmlReturn_t result = NVML_SUCCESS;
  if (!initialized) result = NVML_ERROR_UNINITIALIZED;
  else {
    reload_locked();
    if ((int)index >= gpu_count_locked()) result = NVML_ERROR_INVALID_ARGUMENT;
    else if (find_locked((int)index, -1, "lost") != NULL) result = NVML_ERROR_GPU_IS_LOST;
    else *device = &gpu_handles[index];
  }
  pthread_mutex_unlock(&lock);
  return result;
}

nvmlReturn_t nvmlDeviceGetIndex(nvmlDevice_t device, unsigned int *index) {
  if (device == NULL || index == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  *index = (unsigned int)device->gpu;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length) { return lookup_string(device, "uuid", uuid, length); }
nvmlReturn_t nvmlDeviceGetSerial(nvmlDevice_t device, char *serial, unsigned int length) { return lookup_string(device, "serial", serial, length); }
nvmlReturn_t nvmlDeviceGetVbiosVersion(nvmlDevice_t device, char *version, unsigned int length) { return lookup_string(device, "vbiosVersion", version, length); }

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length) {
  if (device == NULL || device->slot < 0) return lookup_string(device, "name", name, length);
  /* A MIG device is named after its parent and its profile, as the driver does. */
  char parent[96], profile[96], full[200];
  struct fake_device gpu = {device->gpu, -1};
  nvmlReturn_t result = lookup_string(&gpu, "name", parent, sizeof parent);
  if (result == NVML_SUCCESS) result = lookup_string(device, "profile.name", profile, sizeof profile);
  if (result != NVML_SUCCESS) return result;
  snprintf(full, sizeof full, "%s %s", parent, profile);
  if (strlen(full) + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
  memcpy(name, full, strlen(full) + 1);
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, nvmlPciInfo_t *pci) {
  if (pci == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  char busId[160];
  nvmlReturn_t result = lookup(device, "pci.busId", busId, sizeof busId);
  if (result != NVML_SUCCESS) return result;
  memset(pci, 0, sizeof *pci);
  unsigned int function = 0;
  if (sscanf(busId, "%x:%x:%x.%x", &pci->domain, &pci->bus, &pci->device, &function) != 4) return NVML_ERROR_UNKNOWN;
  snprintf(pci->busId, sizeof pci->busId, "%08X:%02X:%02X.%X", pci->domain, pci->bus, pci->device, function);
  snprintf(pci->busIdLegacy, sizeof pci->busIdLegacy, "%04X:%02X:%02X.%X", pci->domain, pci->bus, pci->device, function);
  double deviceId = 0;
  if (lookup_number(device, "pci.deviceId", &deviceId) == NVML_SUCCESS) pci->pciDeviceId = (unsigned int)deviceId;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t device, int type, unsigned int *clock) {
  static const char *const keys[] = {"clock.graphics", "clock.sm", "clock.mem", "clock.video"};
  if (type < 0 || type > 3) return NVML_ERROR_INVALID_ARGUMENT;
  return lookup_uint(device, keys[type], clock);
}

nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, int sensorType, unsigned int *temp) {
  if (sensorType != 0) return NVML_ERROR_INVALID_ARGUMENT;
  return lookup_uint(device, "temperature.gpu", temp);
}

nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int *power) { return lookup_uint(device, "power.usage", power); }
nvmlReturn_t nvmlDeviceGetPowerManagementLimit(nvmlDevice_t device, unsigned int *limit) { return lookup_uint(device, "power.limit", limit); }
nvmlReturn_t nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t device, unsigned int *limit) { return lookup_uint(device, "power.enforcedLimit", limit); }
nvmlReturn_t nvmlDeviceGetPcieReplayCounter(nvmlDevice_t device, unsigned int *value) { return lookup_uint(device, "pcie.replay", value); }
nvmlReturn_t nvmlDeviceGetFanSpeed(nvmlDevice_t device, unsigned int *speed) { return lookup_uint(device, "fan.speed", speed); }
nvmlReturn_t nvmlDeviceGetCurrPcieLinkGeneration(nvmlDevice_t device, unsigned int *generation) { return lookup_uint(device, "pcie.gen", generation); }
nvmlReturn_t nvmlDeviceGetCurrPcieLinkWidth(nvmlDevice_t device, unsigned int *width) { return lookup_uint(device, "pcie.width", width); }

nvmlReturn_t nvmlDeviceGetPerformanceState(nvmlDevice_t device, int *pState) {
  unsigned int value;
  if (pState == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  nvmlReturn_t result = lookup_uint(device, "pstate", &value);
  if (result == NVML_SUCCESS) *pState = (int)value;
  return result;
}

nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t device, unsigned long long *energy) {
  double value;
  if (energy == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  nvmlReturn_t result = lookup_number(device, "energy", &value);
  if (result == NVML_SUCCESS) *energy = (unsigned long long)value;
  return result;
}

nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t *utilization) {
  if (utilization == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  nvmlReturn_t result = lookup_uint(device, "utilization.gpu", &utilization->gpu);
  if (result == NVML_SUCCESS) result = lookup_uint(device, "utilization.memory", &utilization->memory);
  return result;
}

nvmlReturn_t nvmlDeviceGetEncoderUtilization(nvmlDevice_t device, unsigned int *utilization, unsigned int *samplingPeriodUs) {
  if (samplingPeriodUs == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  *samplingPeriodUs = 167000;
  return lookup_uint(device, "utilization.encoder", utilization);
}

nvmlReturn_t nvmlDeviceGetDecoderUtilization(nvmlDevice_t device, unsigned int *utilization, unsigned int *samplingPeriodUs) {
  if (samplingPeriodUs == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  *samplingPeriodUs = 167000;
  return lookup_uint(device, "utilization.decoder", utilization);
}

nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t device, nvmlMemory_v2_t *memory) {
  if (memory == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  if (memory->version != NVML_MEMORY_V2_VERSION) return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
  double total, reserved = 0, free, used;
  nvmlReturn_t result = lookup_number(device, "memory.total", &total);
  if (result == NVML_SUCCESS) result = lookup_number(device, "memory.free", &free);
  if (result == NVML_SUCCESS) result = lookup_number(device, "memory.used", &used);
  if (result != NVML_SUCCESS) return result;
  lookup_number(device, "memory.reserved", &reserved);
  memory->total = (unsigned long long)total;
  memory->reserved = (unsigned long long)reserved;
  memory->free = (unsigned long long)free;
  memory->used = (unsigned long long)used;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetRemappedRows(nvmlDevice_t device, unsigned int *corrRows, unsigned int *uncRows, unsigned int *isPending, unsigned int *failureOccurred) {
  nvmlReturn_t result = lookup_uint(device, "remapped.correctable", corrRows);
  if (result == NVML_SUCCESS) result = lookup_uint(device, "remapped.uncorrectable", uncRows);
  if (result == NVML_SUCCESS) result = lookup_uint(device, "remapped.pending", isPending);
  if (result == NVML_SUCCESS) result = lookup_uint(device, "remapped.failure", failureOccurred);
  return result;
}

/* The value type the driver reports for a field id: unsigned int for temperatures, 64-bit counters otherwise. */
static int field_value_type(unsigned int fieldId) {
  switch (fieldId) {
    case 82: /* NVML_FI_DEV_MEMORY_TEMP */
    case 31: /* NVML_FI_DEV_RETIRED_PENDING */
    case 94: /* NVML_FI_DEV_PCIE_REPLAY_COUNTER */
    case 142: case 143: case 144: case 145: /* NVML_FI_DEV_REMAPPED_* */
      return NVML_VALUE_TYPE_UNSIGNED_INT;
    default:
      return NVML_VALUE_TYPE_UNSIGNED_LONG_LONG;
  }
}

nvmlReturn_t nvmlDeviceGetFieldValues(nvmlDevice_t device, int valuesCount, nvmlFieldValue_t *values) {
  if (device == NULL || values == NULL || valuesCount < 0) return NVML_ERROR_INVALID_ARGUMENT;
  for (int i = 0; i < valuesCount; i++) {
    char key[32];
    double number = 0;
    /* Fields that mirror a call of their own answer from the same scenario value as that call. */
    switch (values[i].fieldId) {
      case 83: snprintf(key, sizeof key, "energy"); break;
      case 94: snprintf(key, sizeof key, "pcie.replay"); break;
      case 142: snprintf(key, sizeof key, "remapped.correctable"); break;
      case 143: snprintf(key, sizeof key, "remapped.uncorrectable"); break;
      case 144: snprintf(key, sizeof key, "remapped.pending"); break;
      case 145: snprintf(key, sizeof key, "remapped.failure"); break;
      default: snprintf(key, sizeof key, "field.%u", values[i].fieldId);
    }
    nvmlReturn_t result = lookup_number(device, key, &number);
    /* A lost GPU fails the whole call; other faults are per field, as the driver reports them. */
    if (result == NVML_ERROR_GPU_IS_LOST || result == NVML_ERROR_UNINITIALIZED) return result;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    values[i].timestamp = (long long)now.tv_sec * 1000000 + now.tv_nsec / 1000;
    values[i].latencyUsec = 0;
    values[i].nvmlReturn = result;
    values[i].valueType = field_value_type(values[i].fieldId);
    memset(&values[i].value, 0, sizeof values[i].value);
    if (result != NVML_SUCCESS) continue;
    if (values[i].valueType == NVML_VALUE_TYPE_UNSIGNED_INT) values[i].value.uiVal = (unsigned int)number;
    else values[i].value.ullVal = (unsigned long long)number;
  }
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t device, unsigned int *currentMode, unsigned int *pendingMode) {
  nvmlReturn_t result = lookup_uint(device, "mig.mode", currentMode);
  if (result == NVML_SUCCESS && pendingMode != NULL) *pendingMode = *currentMode;
  return result;
}

nvmlReturn_t nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t device, unsigned int *count) {
  unsigned int mode = 0;
  nvmlReturn_t result = lookup_uint(device, "mig.mode", &mode);
  if (result != NVML_SUCCESS) return result;
  if (count == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  *count = 7;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMigDeviceHandleByIndex(nvmlDevice_t device, unsigned int index, nvmlDevice_t *migDevice) {
  unsigned int mode = 0;
  if (migDevice == NULL || device == NULL || device->slot >= 0) return NVML_ERROR_INVALID_ARGUMENT;
  nvmlReturn_t result = lookup_uint(device, "mig.mode", &mode);
  if (result != NVML_SUCCESS) return result;
  if (mode == 0) return NVML_ERROR_NOT_SUPPORTED;
  pthread_mutex_lock(&lock);
  int count = mig_count_locked(device->gpu);
  pthread_mutex_unlock(&lock);
  if ((int)index >= count || index >= MAX_MIG) return NVML_ERROR_NOT_FOUND;
  *migDevice = &mig_handles[device->gpu][index];
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceIsMigDeviceHandle(nvmlDevice_t device, unsigned int *isMigDevice) {
  if (device == NULL || isMigDevice == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  *isMigDevice = device->slot >= 0;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetGpuInstanceId(nvmlDevice_t device, unsigned int *id) {
  if (device == NULL || device->slot < 0) return NVML_ERROR_INVALID_ARGUMENT;
  return lookup_uint(device, "gi.id", id);
}

nvmlReturn_t nvmlDeviceGetComputeInstanceId(nvmlDevice_t device, unsigned int *id) {
  if (device == NULL || device->slot < 0) return NVML_ERROR_INVALID_ARGUMENT;
  return lookup_uint(device, "ci.id", id);
}

nvmlReturn_t nvmlDeviceGetDeviceHandleFromMigDeviceHandle(nvmlDevice_t migDevice, nvmlDevice_t *device) {
  if (migDevice == NULL || device == NULL || migDevice->slot < 0) return NVML_ERROR_INVALID_ARGUMENT;
  *device = &gpu_handles[migDevice->gpu];
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetGpuInstanceById(nvmlDevice_t device, unsigned int id, nvmlGpuInstance_t *gpuInstance) {
  if (device == NULL || gpuInstance == NULL || device->slot >= 0) return NVML_ERROR_INVALID_ARGUMENT;
  pthread_mutex_lock(&lock);
  reload_locked();
  int count = mig_count_locked(device->gpu);
  nvmlReturn_t result = NVML_ERROR_NOT_FOUND;
  for (int slot = 0; slot < count; slot++) {
    const char *value = find_locked(device->gpu, slot, "gi.id");
    if (value != NULL && (unsigned int)atoi(value) == id) {
      *gpuInstance = &instance_handles[device->gpu][slot];
      result = NVML_SUCCESS;
      break;
    }
  }
  pthread_mutex_unlock(&lock);
  return result;
}

nvmlReturn_t nvmlGpuInstanceGetInfo(nvmlGpuInstance_t gpuInstance, nvmlGpuInstanceInfo_t *info) {
  if (gpuInstance == NULL || info == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  struct fake_device *mig = &mig_handles[gpuInstance->gpu][gpuInstance->slot];
  memset(info, 0, sizeof *info);
  info->device = &gpu_handles[gpuInstance->gpu];
  nvmlReturn_t result = lookup_uint(mig, "gi.id", &info->id);
  if (result == NVML_SUCCESS) result = lookup_uint(mig, "profile.id", &info->profileId);
  return result;
}

nvmlReturn_t nvmlDeviceGetGpuInstanceProfileInfoV(nvmlDevice_t device, unsigned int profile, nvmlGpuInstanceProfileInfo_v2_t *info) {
  if (device == NULL || info == NULL || device->slot >= 0 || profile >= NVML_GPU_INSTANCE_PROFILE_COUNT) return NVML_ERROR_INVALID_ARGUMENT;
  if (info->version != NVML_GPU_INSTANCE_PROFILE_INFO_V2_VERSION) return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
  unsigned int mode = 0;
  nvmlReturn_t result = lookup_uint(device, "mig.mode", &mode);
  if (result != NVML_SUCCESS) return result;
  if (mode == 0) return NVML_ERROR_NOT_SUPPORTED;
  /* The profiles this GPU offers are those its instances use (enough for an agent that names instances). */
  pthread_mutex_lock(&lock);
  int count = mig_count_locked(device->gpu);
  result = NVML_ERROR_NOT_SUPPORTED;
  for (int slot = 0; slot < count; slot++) {
    const char *index = find_locked(device->gpu, slot, "profile.index");
    if (index == NULL || (unsigned int)atoi(index) != profile) continue;
    const char *id = find_locked(device->gpu, slot, "profile.id");
    const char *name = find_locked(device->gpu, slot, "profile.name");
    const char *memory = find_locked(device->gpu, slot, "memory.total");
    unsigned int version = info->version;
    memset(info, 0, sizeof *info);
    info->version = version;
    info->id = id == NULL ? 0 : (unsigned int)atoi(id);
    info->memorySizeMB = memory == NULL ? 0 : (unsigned long long)(strtod(memory, NULL) / 1048576.0);
    snprintf(info->name, sizeof info->name, "%s", name == NULL ? "" : name);
    result = NVML_SUCCESS;
    break;
  }
  pthread_mutex_unlock(&lock);
  return result;
}

/* ---- events (XID) ---- */

static long max_xid_sequence_locked(void) {
  long highest = 0;
  for (int i = 0; i < entry_count; i++) {
    long sequence;
    if (strcmp(entries[i].scope, "system") == 0 && sscanf(entries[i].key, "xid.%ld", &sequence) == 1 && sequence > highest) highest = sequence;
  }
  return highest;
}

nvmlReturn_t nvmlEventSetCreate(nvmlEventSet_t *set) {
  if (set == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  struct fake_event_set *created = calloc(1, sizeof *created);
  if (created == NULL) return NVML_ERROR_UNKNOWN;
  pthread_mutex_lock(&lock);
  reload_locked();
  /* Only events that happen after the set exists are delivered, as with the driver. */
  created->delivered = max_xid_sequence_locked();
  pthread_mutex_unlock(&lock);
  *set = created;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetSupportedEventTypes(nvmlDevice_t device, unsigned long long *eventTypes) {
  if (eventTypes == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  nvmlReturn_t result = lookup(device, "uuid", NULL, 0);
  if (result == NVML_SUCCESS) *eventTypes = NVML_EVENT_TYPE_XID_CRITICAL_ERROR;
  return result;
}

nvmlReturn_t nvmlDeviceRegisterEvents(nvmlDevice_t device, unsigned long long eventTypes, nvmlEventSet_t set) {
  if (device == NULL || set == NULL || device->slot >= 0) return NVML_ERROR_INVALID_ARGUMENT;
  nvmlReturn_t result = lookup(device, "uuid", NULL, 0);
  if (result != NVML_SUCCESS) return result;
  if ((eventTypes & ~NVML_EVENT_TYPE_XID_CRITICAL_ERROR) != 0) return NVML_ERROR_NOT_SUPPORTED;
  pthread_mutex_lock(&lock);
  set->registered[device->gpu] |= eventTypes;
  pthread_mutex_unlock(&lock);
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlEventSetWait_v2(nvmlEventSet_t set, nvmlEventData_t *data, unsigned int timeoutms) {
  if (set == NULL || data == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  struct timespec started, now;
  clock_gettime(CLOCK_MONOTONIC, &started);
  pthread_mutex_lock(&lock);
  for (;;) {
    reload_locked();
    long best = -1;
    int gpu = 0;
    unsigned long long xid = 0;
    unsigned int gpuInstance = 0xFFFFFFFFu;
    for (int i = 0; i < entry_count; i++) {
      long sequence;
      int eventGpu;
      unsigned long long eventXid;
      unsigned int eventInstance = 0xFFFFFFFFu;
      if (strcmp(entries[i].scope, "system") != 0 || sscanf(entries[i].key, "xid.%ld", &sequence) != 1) continue;
      if (sequence <= set->delivered || (best >= 0 && sequence >= best)) continue;
      if (sscanf(entries[i].value, "%d %llu %u", &eventGpu, &eventXid, &eventInstance) < 2 || eventGpu < 0 || eventGpu >= MAX_GPUS) continue;
      if ((set->registered[eventGpu] & NVML_EVENT_TYPE_XID_CRITICAL_ERROR) == 0) continue;
      best = sequence;
      gpu = eventGpu;
      xid = eventXid;
      gpuInstance = eventInstance;
    }
    if (best >= 0) {
      set->delivered = best;
      memset(data, 0, sizeof *data);
      data->device = &gpu_handles[gpu];
      data->eventType = NVML_EVENT_TYPE_XID_CRITICAL_ERROR;
      data->eventData = xid;
      data->gpuInstanceId = gpuInstance;
      data->computeInstanceId = 0xFFFFFFFFu;
      pthread_mutex_unlock(&lock);
      return NVML_SUCCESS;
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    long waited = (now.tv_sec - started.tv_sec) * 1000 + (now.tv_nsec - started.tv_nsec) / 1000000;
    if (waited >= (long)timeoutms) break;
    pthread_mutex_unlock(&lock);
    sleep_ms(timeoutms - waited < 20 ? timeoutms - waited : 20);
    pthread_mutex_lock(&lock);
  }
  pthread_mutex_unlock(&lock);
  return NVML_ERROR_TIMEOUT;
}

nvmlReturn_t nvmlEventSetFree(nvmlEventSet_t set) {
  free(set);
  return NVML_SUCCESS;
}

/* ---- GPU performance monitoring (Hopper and later) ---- */

nvmlReturn_t nvmlGpmQueryDeviceSupport(nvmlDevice_t device, nvmlGpmSupport_t *support) {
  if (support == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  if (support->version != NVML_GPM_SUPPORT_VERSION) return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
  unsigned int supported = 0;
  nvmlReturn_t result = lookup_uint(device, "gpm.supported", &supported);
  if (result == NVML_ERROR_NOT_SUPPORTED) supported = 0;
  else if (result != NVML_SUCCESS) return result;
  support->isSupportedDevice = supported;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlGpmSampleAlloc(nvmlGpmSample_t *sample) {
  if (sample == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  *sample = calloc(1, sizeof **sample);
  return *sample == NULL ? NVML_ERROR_UNKNOWN : NVML_SUCCESS;
}

nvmlReturn_t nvmlGpmSampleFree(nvmlGpmSample_t sample) {
  free(sample);
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlGpmSampleGet(nvmlDevice_t device, nvmlGpmSample_t sample) {
  if (device == NULL || sample == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  unsigned int supported = 0;
  nvmlReturn_t result = lookup_uint(device, "gpm.supported", &supported);
  if (result != NVML_SUCCESS) return result;
  if (!supported) return NVML_ERROR_NOT_SUPPORTED;
  *sample = (struct fake_gpm_sample){device->gpu, device->slot, 1};
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlGpmMigSampleGet(nvmlDevice_t device, unsigned int gpuInstanceId, nvmlGpmSample_t sample) {
  nvmlGpuInstance_t instance;
  nvmlReturn_t result = nvmlDeviceGetGpuInstanceById(device, gpuInstanceId, &instance);
  if (result != NVML_SUCCESS) return result;
  result = nvmlGpmSampleGet(device, sample);
  if (result == NVML_SUCCESS) sample->slot = instance->slot;
  return result;
}

nvmlReturn_t nvmlGpmMetricsGet(nvmlGpmMetricsGet_t *metricsGet) {
  if (metricsGet == NULL || metricsGet->sample1 == NULL || metricsGet->sample2 == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  if (metricsGet->version != NVML_GPM_METRICS_GET_VERSION) return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
  if (metricsGet->numMetrics > NVML_GPM_METRIC_MAX) return NVML_ERROR_INVALID_ARGUMENT;
  struct fake_gpm_sample *first = metricsGet->sample1, *second = metricsGet->sample2;
  if (!first->taken || !second->taken || first->gpu != second->gpu || first->slot != second->slot) return NVML_ERROR_INVALID_ARGUMENT;
  struct fake_device *device = second->slot < 0 ? &gpu_handles[second->gpu] : &mig_handles[second->gpu][second->slot];
  for (unsigned int i = 0; i < metricsGet->numMetrics; i++) {
    char key[32];
    double value = 0;
    snprintf(key, sizeof key, "gpm.%u", metricsGet->metrics[i].metricId);
    /* Per-instance GPM values only: a MIG instance does not inherit its parent's activity. */
    nvmlReturn_t result = NVML_ERROR_NOT_SUPPORTED;
    pthread_mutex_lock(&lock);
    const char *text = find_locked(device->gpu, device->slot, key);
    if (text != NULL) {
      value = strtod(text, NULL);
      result = NVML_SUCCESS;
    }
    pthread_mutex_unlock(&lock);
    metricsGet->metrics[i].nvmlReturn = result;
    metricsGet->metrics[i].value = value;
    metricsGet->metrics[i].metricInfo.shortName = NULL;
    metricsGet->metrics[i].metricInfo.longName = NULL;
    metricsGet->metrics[i].metricInfo.unit = NULL;
  }
  return NVML_SUCCESS;
}

/* Not part of NVML: lets the simulated nvidia-smi read scenario settings that only it uses. */
int tessera_sim_setting(const char *scope, const char *key, char *out, unsigned int size) {
  pthread_mutex_lock(&lock);
  reload_locked();
  int found = 0;
  for (int i = 0; i < entry_count; i++) {
    if (strcmp(entries[i].scope, scope) == 0 && strcmp(entries[i].key, key) == 0) {
      snprintf(out, size, "%s", entries[i].value);
      found = 1;
      break;
    }
  }
  pthread_mutex_unlock(&lock);
  return found;
}
