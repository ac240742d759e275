/*
 * mlp.c: an independent implementation of the training a trace describes, in C99 with double
 * precision throughout. It reads a trace folder's configuration (trace.json), data (x.npy, y.npy)
 * and initial parameters (initial/), trains on exactly the minibatches trace.json lists, and writes
 * its own trace folder (docs/trace-format.md) for `wasm-backprop compare`.
 *
 *     gcc -std=c99 -O2 -Wall -o mlp examples/agreement/mlp.c -lm
 *     ./mlp <trace folder to read> <trace folder to write>
 *
 * It needs nothing but the C library: a .npy reader and writer for little-endian float64 ('<f8')
 * and float32 ('<f4') arrays in C order, and a JSON reader that is NOT a general JSON parser: it
 * finds the few keys this program needs (network.layers, network.activations, network.inputLayer,
 * network.inputActivation, network.loss, optimizer.type / momentum / beta1 / beta2 / epsilon,
 * learningRate, biasLearningRate, batches) by skipping over every other value, and it reads only
 * numbers, plain strings (no escapes) and arrays of them. The trace.json it writes is the one it
 * read with its "producer" and "precision" replaced.
 *
 * The mathematics (the paper's, in its matrix form; docs/ARCHITECTURE.md section 3), for a minibatch
 * of r rows, one sample per row, W_l of n_{l+1} × n_l (row = destination neuron):
 *
 *   A_0 = X, or Z_0 = X + b_in, A_0 = f_0(Z_0) with an activated input layer
 *   Z_{l+1} = A_l·W_lᵀ + b_l,  A_{l+1} = f_{l+1}(Z_{l+1})                     (Eq. 1, 24)
 *   loss    = (1/r) Σ_rows ½ Σ_k (a_k − y_k)²                                   (Eq. 46)
 *             or (1/r) Σ_rows −Σ_k y_k ln softmax(z)_k  (softmax output)
 *   δ_L     = f′(Z_L) ⊙ (A_L − Y), or A_L − Y with softmax and cross-entropy    (Eq. 26, 56)
 *   δ_l     = (δ_{l+1}·W_l) ⊙ f′(Z_l), with the weights of the forward pass     (Eq. 29)
 *   ∇W_l    = (1/r) δ_{l+1}ᵀ·A_l,  ∇b_l = (1/r) Σ_rows δ_{l+1},  ∇b_in = (1/r) Σ_rows δ_0
 *   SGD      p −= η·g
 *   momentum v = μ·v − η·g,  p += v
 *   Adam     m = β₁m + (1−β₁)g,  v = β₂v + (1−β₂)g²,  p −= η·m̂/(√v̂ + ε),
 *            m̂ = m/(1−β₁ᵗ),  v̂ = v/(1−β₂ᵗ),  t = 1 at the first step
 *   η for the weights, η_b for every bias.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_LAYERS 64
#define LEAKY_SLOPE 0.01

/* ---- errors: one line on stderr, exit 1 ------------------------------------------------------- */

static void die(const char *format, ...) {
  va_list args;
  va_start(args, format);
  fputs("mlp: ", stderr);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
  exit(1);
}

static void *allocate(size_t count, size_t size) {
  void *p = calloc(count ? count : 1, size);
  if (!p) die("out of memory");
  return p;
}

static char *read_file(const char *path, size_t *length) {
  FILE *f = fopen(path, "rb");
  if (!f) die("%s: %s", path, strerror(errno));
  size_t capacity = 1 << 16, used = 0, got;
  char *buffer = allocate(capacity + 1, 1);
  while ((got = fread(buffer + used, 1, capacity - used, f)) > 0) {
    used += got;
    if (used == capacity) {
      capacity *= 2;
      buffer = realloc(buffer, capacity + 1);
      if (!buffer) die("out of memory");
    }
  }
  fclose(f);
  buffer[used] = '\0';
  *length = used;
  return buffer;
}

static const char *skip_space(const char *p) {
  while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++;
  return p;
}

/* ---- .npy files ------------------------------------------------------------------------------- */

typedef struct {
  int ndim;
  size_t shape[8];
  size_t count;
  double *data;
} Array;

/* Reads a .npy file of little-endian float64 or float32 in C order, as doubles. */
static Array npy_read(const char *path) {
  size_t length;
  unsigned char *bytes = (unsigned char *)read_file(path, &length);
  if (length < 10 || memcmp(bytes, "\x93NUMPY", 6) != 0) die("%s: not a .npy file (no \\x93NUMPY at its start)", path);
  int major = bytes[6];
  if (major < 1 || major > 3 || (major > 1 && length < 12)) die("%s: .npy format version %d (1, 2 and 3 are read)", path, major);
  size_t header_length = major == 1 ? (size_t)bytes[8] | (size_t)bytes[9] << 8
                                    : (size_t)bytes[8] | (size_t)bytes[9] << 8 | (size_t)bytes[10] << 16 | (size_t)bytes[11] << 24;
  size_t start = major == 1 ? 10 : 12;
  if (start + header_length > length) die("%s: the header runs past the end of the file", path);
  char *header = allocate(header_length + 1, 1);
  memcpy(header, bytes + start, header_length);
  const char *descr = strstr(header, "'descr'");
  const char *fortran = strstr(header, "'fortran_order'");
  const char *shape = strstr(header, "'shape'");
  if (!descr || !fortran || !shape) die("%s: the header lacks descr, fortran_order or shape", path);
  descr = strchr(descr + 7, '\'');
  if (!descr) die("%s: the header's descr is not a string", path);
  int width = strncmp(descr, "'<f8'", 5) == 0 ? 8 : strncmp(descr, "'<f4'", 5) == 0 ? 4 : 0;
  if (!width) die("%s: dtype %.*s (little-endian '<f8' or '<f4' are read)", path, (int)strcspn(descr + 1, "'") + 2, descr);
  fortran = strchr(fortran + 15, ':');
  if (!fortran || strncmp(skip_space(fortran + 1), "False", 5) != 0) die("%s: Fortran order (write it in C order)", path);
  Array a = {0, {0}, 1, NULL};
  const char *p = strchr(shape, '(');
  if (!p) die("%s: the header's shape is not a tuple", path);
  for (p++; *p && *p != ')';) {
    if (*p == ',' || *p == ' ') {
      p++;
      continue;
    }
    char *end;
    unsigned long size = strtoul(p, &end, 10);
    if (end == p || a.ndim == 8) die("%s: the header's shape is not a tuple of at most 8 sizes", path);
    a.shape[a.ndim++] = size;
    a.count *= size;
    p = end;
  }
  size_t body = start + header_length;
  if (length - body != a.count * (size_t)width)
    die("%s: its shape needs %zu bytes of data, the file has %zu", path, a.count * (size_t)width, length - body);
  a.data = allocate(a.count, sizeof(double));
  for (size_t i = 0; i < a.count; i++) {
    if (width == 8) {
      memcpy(&a.data[i], bytes + body + 8 * i, 8); /* little-endian hosts */
    } else {
      float v;
      memcpy(&v, bytes + body + 4 * i, 4);
      a.data[i] = v;
    }
  }
  free(header);
  free(bytes);
  return a;
}

/* An error unless the array has the shape trace.json makes it: rows × cols (ndim 2) or cols (ndim 1). */
static void expect_shape(const Array *a, const char *path, int ndim, size_t rows, size_t cols) {
  size_t want[2] = {ndim == 2 ? rows : cols, cols};
  int ok = a->ndim == ndim;
  for (int d = 0; ok && d < ndim; d++) ok = a->shape[d] == want[d];
  if (!ok) {
    char got[64] = "", expected[64] = "";
    for (int d = 0; d < a->ndim; d++) snprintf(got + strlen(got), sizeof got - strlen(got), d ? ", %zu" : "%zu", a->shape[d]);
    for (int d = 0; d < ndim; d++) snprintf(expected + strlen(expected), sizeof expected - strlen(expected), d ? ", %zu" : "%zu", want[d]);
    die("%s: shape (%s), trace.json makes it (%s)", path, got, expected);
  }
}

/* Writes a .npy file of float64: rows × cols (ndim 2), cols values (ndim 1) or one (ndim 0). */
static void npy_write(const char *path, const double *data, int ndim, size_t rows, size_t cols) {
  char header[128];
  size_t count = ndim == 2 ? rows * cols : ndim == 1 ? cols : 1;
  int n = ndim == 2   ? snprintf(header, sizeof header, "{'descr': '<f8', 'fortran_order': False, 'shape': (%zu, %zu), }", rows, cols)
          : ndim == 1 ? snprintf(header, sizeof header, "{'descr': '<f8', 'fortran_order': False, 'shape': (%zu,), }", cols)
                      : snprintf(header, sizeof header, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }");
  /* Magic (6), version (2), header length (2), header padded with spaces and ended by \n to a multiple of 64. */
  while ((10 + n + 1) % 64 != 0) header[n++] = ' ';
  header[n++] = '\n';
  FILE *f = fopen(path, "wb");
  if (!f) die("%s: %s", path, strerror(errno));
  unsigned char prefix[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(n & 0xff), (unsigned char)(n >> 8)};
  fwrite(prefix, 1, 10, f);
  fwrite(header, 1, (size_t)n, f);
  if (fwrite(data, sizeof(double), count, f) != count || fclose(f) != 0) die("%s: could not write", path);
}

/* ---- the few keys of trace.json (not a general JSON parser: see the file's comment) ----------- */

/* The end of the JSON value starting at p (a string, number, literal, array or object). */
static const char *skip_value(const char *p) {
  p = skip_space(p);
  if (*p == '"') {
    for (p++; *p && *p != '"'; p++)
      if (*p == '\\' && p[1]) p++;
    return *p ? p + 1 : p;
  }
  if (*p == '[' || *p == '{') {
    for (p = skip_space(p + 1); *p && *p != ']' && *p != '}';) {
      p = skip_value(p); /* a member's key, or an element */
      p = skip_space(p);
      if (*p == ':') p = skip_space(skip_value(p + 1));
      if (*p == ',') p = skip_space(p + 1);
    }
    return *p ? p + 1 : p;
  }
  while (*p && *p != ',' && *p != ']' && *p != '}' && *p != ' ' && *p != '\n') p++;
  return p;
}

/* The value of key in the object at p, or NULL. */
static const char *find_key(const char *p, const char *key) {
  p = skip_space(p);
  if (*p != '{') return NULL;
  size_t length = strlen(key);
  for (p = skip_space(p + 1); *p == '"';) {
    int match = strncmp(p + 1, key, length) == 0 && p[1 + length] == '"';
    p = skip_space(skip_value(p));
    if (*p != ':') return NULL;
    p = skip_space(p + 1);
    if (match) return p;
    p = skip_space(skip_value(p));
    if (*p == ',') p = skip_space(p + 1);
  }
  return NULL;
}

typedef struct {
  const char *text;
  const char *file;
} Json;

/* The value at a dotted path ("optimizer.beta1"), or an error naming it. */
static const char *get(Json j, const char *path) {
  char part[64];
  const char *p = j.text;
  for (const char *s = path; p && *s;) {
    size_t n = strcspn(s, ".");
    snprintf(part, sizeof part, "%.*s", (int)n, s);
    p = find_key(p, part);
    s += n + (s[n] == '.');
  }
  if (!p) die("%s: no %s", j.file, path);
  return p;
}

static double get_number(Json j, const char *path) {
  char *end;
  double v = strtod(get(j, path), &end);
  if (end == get(j, path)) die("%s: %s must be a number", j.file, path);
  return v;
}

/* A string value (without escapes) into out; "" for null. */
static void string_at(const char *p, char *out, size_t size, const char *file, const char *what) {
  if (strncmp(p, "null", 4) == 0) {
    out[0] = '\0';
    return;
  }
  if (*p != '"') die("%s: %s must be a string", file, what);
  size_t n = strcspn(p + 1, "\"");
  if (n >= size) die("%s: %s is too long", file, what);
  snprintf(out, size, "%.*s", (int)n, p + 1);
}

/* The elements of the array at p: calls each(element, i, context) for each; returns their number. */
static size_t each_element(const char *p, const char *file, const char *what, void (*each)(const char *, size_t, void *), void *context) {
  if (*p != '[') die("%s: %s must be an array", file, what);
  size_t i = 0;
  for (p = skip_space(p + 1); *p && *p != ']'; i++) {
    if (each) each(p, i, context);
    p = skip_space(skip_value(p));
    if (*p == ',') p = skip_space(p + 1);
  }
  return i;
}

/* ---- the configuration ------------------------------------------------------------------------ */

typedef enum { SIGMOID, TANH, RELU, LEAKY_RELU, LINEAR, SOFTMAX } Activation;
typedef enum { SGD, MOMENTUM, ADAM } Optimizer;

typedef struct {
  int L;                       /* layers n_0 … n_L */
  size_t n[MAX_LAYERS + 1];    /* sizes */
  Activation f[MAX_LAYERS + 1]; /* f_0 (activated input only) … f_L */
  int activated;               /* input layer with biases and an activation */
  int cross_entropy;           /* else ½MSE */
  Optimizer optimizer;
  double mu, beta1, beta2, epsilon, eta, eta_b;
  size_t steps;
  size_t **batches; /* the rows of each step's minibatch */
  size_t *batch_rows;
} Config;

static Activation activation_named(const char *name, const char *file) {
  const char *names[] = {"sigmoid", "tanh", "relu", "leaky-relu", "linear", "softmax"};
  for (int i = 0; i < 6; i++)
    if (strcmp(name, names[i]) == 0) return (Activation)i;
  die("%s: unknown activation '%s'", file, name);
  return LINEAR;
}

static void read_layer(const char *p, size_t i, void *c) {
  if (i < MAX_LAYERS + 1) ((Config *)c)->n[i] = strtoul(p, NULL, 10);
}
static void read_activation(const char *p, size_t i, void *c) {
  char name[32];
  string_at(p, name, sizeof name, "trace.json", "network.activations");
  ((Config *)c)->f[i + 1] = activation_named(name, "trace.json");
}
static void read_row(const char *p, size_t i, void *rows) { ((size_t *)rows)[i] = strtoul(p, NULL, 10); }
static void read_batch(const char *p, size_t s, void *c) {
  Config *config = c;
  size_t r = each_element(p, "trace.json", "batches[s]", NULL, NULL);
  config->batch_rows[s] = r;
  config->batches[s] = allocate(r, sizeof(size_t));
  each_element(p, "trace.json", "batches[s]", read_row, config->batches[s]);
}

static Config read_config(Json j) {
  Config c;
  memset(&c, 0, sizeof c);
  char text[32];
  size_t sizes = each_element(get(j, "network.layers"), j.file, "network.layers", read_layer, &c);
  if (sizes < 2 || sizes > MAX_LAYERS + 1) die("%s: network.layers must hold 2 to %d sizes", j.file, MAX_LAYERS + 1);
  c.L = (int)sizes - 1;
  if (each_element(get(j, "network.activations"), j.file, "network.activations", read_activation, &c) != (size_t)c.L)
    die("%s: network.activations must name %d activations", j.file, c.L);
  string_at(get(j, "network.inputLayer"), text, sizeof text, j.file, "network.inputLayer");
  c.activated = strcmp(text, "activated") == 0;
  string_at(get(j, "network.inputActivation"), text, sizeof text, j.file, "network.inputActivation");
  if (c.activated) c.f[0] = activation_named(text, j.file);
  string_at(get(j, "network.loss"), text, sizeof text, j.file, "network.loss");
  c.cross_entropy = strcmp(text, "cross-entropy") == 0;
  string_at(get(j, "optimizer.type"), text, sizeof text, j.file, "optimizer.type");
  c.optimizer = strcmp(text, "sgd") == 0 ? SGD : strcmp(text, "momentum") == 0 ? MOMENTUM : ADAM;
  if (c.optimizer == MOMENTUM) c.mu = get_number(j, "optimizer.momentum");
  if (c.optimizer == ADAM) {
    c.beta1 = get_number(j, "optimizer.beta1");
    c.beta2 = get_number(j, "optimizer.beta2");
    c.epsilon = get_number(j, "optimizer.epsilon");
  }
  c.eta = get_number(j, "learningRate");
  c.eta_b = get_number(j, "biasLearningRate");
  const char *batches = get(j, "batches");
  c.steps = each_element(batches, j.file, "batches", NULL, NULL);
  c.batches = allocate(c.steps, sizeof(size_t *));
  c.batch_rows = allocate(c.steps, sizeof(size_t));
  each_element(batches, j.file, "batches", read_batch, &c);
  return c;
}

/* The text of trace.json with the string value of key replaced by value. */
static char *replace_value(const char *text, const char *key, const char *value) {
  const char *at = find_key(text, key);
  if (!at) die("trace.json: no %s", key);
  const char *end = skip_value(at);
  char *out = allocate(strlen(text) + strlen(value) + 3, 1);
  sprintf(out, "%.*s\"%s\"%s", (int)(at - text), text, value, end);
  return out;
}

/* ---- the mathematics -------------------------------------------------------------------------- */

/* f(z) for one row of n values (softmax needs the row). */
static void activate(Activation f, const double *z, double *a, size_t n) {
  if (f == SOFTMAX) {
    double max = z[0], sum = 0;
    for (size_t k = 1; k < n; k++) max = z[k] > max ? z[k] : max;
    for (size_t k = 0; k < n; k++) sum += a[k] = exp(z[k] - max);
    for (size_t k = 0; k < n; k++) a[k] /= sum;
    return;
  }
  for (size_t k = 0; k < n; k++) {
    double v = z[k];
    switch (f) {
      case SIGMOID: { /* 1/(1+e^{−z}) for z ≥ 0, e^{z}/(1+e^{z}) below: exp never overflows */
        double e = exp(-fabs(v));
        a[k] = v >= 0 ? 1 / (1 + e) : e / (1 + e);
        break;
      }
      case TANH: a[k] = tanh(v); break;
      case RELU: a[k] = v > 0 ? v : 0; break;
      case LEAKY_RELU: a[k] = v > 0 ? v : LEAKY_SLOPE * v; break;
      default: a[k] = v;
    }
  }
}

/* f′(z), from z and a = f(z): sigmoid a(1 − a), tanh 1 − a², relu′(0) = 0. */
static double derivative(Activation f, double z, double a) {
  switch (f) {
    case SIGMOID: return a * (1 - a);
    case TANH: return 1 - a * a;
    case RELU: return z > 0 ? 1 : 0;
    case LEAKY_RELU: return z > 0 ? 1 : LEAKY_SLOPE;
    case LINEAR: return 1;
    default: die("softmax is the output layer's only, with cross-entropy"); return 0;
  }
}

/* One optimizer step of a parameter tensor p (count values) with gradient g, rate eta, at step t. */
static void update(const Config *c, double *p, const double *g, double *m, double *v, size_t count, double eta, int t) {
  for (size_t i = 0; i < count; i++) {
    if (c->optimizer == SGD) {
      p[i] -= eta * g[i];
    } else if (c->optimizer == MOMENTUM) {
      m[i] = c->mu * m[i] - eta * g[i];
      p[i] += m[i];
    } else {
      m[i] = c->beta1 * m[i] + (1 - c->beta1) * g[i];
      v[i] = c->beta2 * v[i] + (1 - c->beta2) * g[i] * g[i];
      double m_hat = m[i] / (1 - pow(c->beta1, t)), v_hat = v[i] / (1 - pow(c->beta2, t));
      p[i] -= eta * m_hat / (sqrt(v_hat) + c->epsilon);
    }
  }
}

/* ---- reading, training, writing --------------------------------------------------------------- */

static char in_dir[4096], out_dir[4096];

static const char *in_path(const char *name) {
  static char path[8192];
  snprintf(path, sizeof path, "%s/%s.npy", in_dir, name);
  return path;
}

/* Makes <out>/<sub> (<out> itself with sub ""), unless it is there. */
static void make_folder(const char *sub) {
  char path[8192];
  snprintf(path, sizeof path, "%s/%s", out_dir, sub);
  if (mkdir(path, 0777) != 0 && errno != EEXIST) die("%s: %s", path, strerror(errno));
}

/* Writes <out>/<folder><name>.npy. */
static void save(const char *folder, const char *name, const double *data, int ndim, size_t rows, size_t cols) {
  char path[8192];
  snprintf(path, sizeof path, "%s/%s%s.npy", out_dir, folder, name);
  npy_write(path, data, ndim, rows, cols);
}

/* A parameter tensor read from initial/<name>.npy with the shape trace.json makes it. */
static double *load_parameter(const char *name, int ndim, size_t rows, size_t cols) {
  Array a = npy_read(in_path(name));
  expect_shape(&a, in_path(name), ndim, rows, cols);
  return a.data;
}

int main(int argc, char **argv) {
  if (argc != 3) die("usage: mlp <trace folder to read> <trace folder to write>");
  snprintf(in_dir, sizeof in_dir, "%s", argv[1]);
  snprintf(out_dir, sizeof out_dir, "%s", argv[2]);
  char json_path[8192], name[64], folder[32];
  snprintf(json_path, sizeof json_path, "%s/trace.json", in_dir);
  size_t json_length;
  char *text = read_file(json_path, &json_length);
  Json json = {text, json_path};
  Config c = read_config(json);
  const int L = c.L;
  const size_t *n = c.n;

  /* The data, as given (float64), and the initial parameters. */
  Array x = npy_read(in_path("x")), y = npy_read(in_path("y"));
  if (x.ndim != 2) die("%s: x must be rows × %zu", in_path("x"), n[0]);
  expect_shape(&x, in_path("x"), 2, x.shape[0], n[0]);
  expect_shape(&y, in_path("y"), 2, x.shape[0], n[L]);
  double *W[MAX_LAYERS], *b[MAX_LAYERS], *b_in = NULL;
  for (int l = 0; l < L; l++) {
    snprintf(name, sizeof name, "initial/W%d", l);
    W[l] = load_parameter(name, 2, n[l + 1], n[l]);
    snprintf(name, sizeof name, "initial/b%d", l);
    b[l] = load_parameter(name, 1, 0, n[l + 1]);
  }
  if (c.activated) b_in = load_parameter("initial/b_in", 1, 0, n[0]);
  for (size_t s = 0; s < c.steps; s++)
    for (size_t i = 0; i < c.batch_rows[s]; i++)
      if (c.batches[s][i] >= x.shape[0]) die("%s: batches[%zu][%zu] is not a row of x", json_path, s, i);

  /* The optimizer's state (m: momentum's velocity or Adam's first moment; v: Adam's second), and
     the buffers of one step: Z_l, A_l, δ_l (r × n_l), the gradients. */
  double *mW[MAX_LAYERS], *vW[MAX_LAYERS], *mb[MAX_LAYERS], *vb[MAX_LAYERS], *dW[MAX_LAYERS], *db[MAX_LAYERS];
  double *Z[MAX_LAYERS + 1], *A[MAX_LAYERS + 1], *D[MAX_LAYERS + 1];
  size_t widest_batch = 1;
  for (size_t s = 0; s < c.steps; s++) widest_batch = c.batch_rows[s] > widest_batch ? c.batch_rows[s] : widest_batch;
  for (int l = 0; l < L; l++) {
    size_t w = n[l + 1] * n[l];
    mW[l] = allocate(w, sizeof(double)), vW[l] = allocate(w, sizeof(double)), dW[l] = allocate(w, sizeof(double));
    mb[l] = allocate(n[l + 1], sizeof(double)), vb[l] = allocate(n[l + 1], sizeof(double)), db[l] = allocate(n[l + 1], sizeof(double));
  }
  double *m_in = allocate(n[0], sizeof(double)), *v_in = allocate(n[0], sizeof(double)), *db_in = allocate(n[0], sizeof(double));
  for (int l = 0; l <= L; l++) {
    Z[l] = allocate(widest_batch * n[l], sizeof(double));
    A[l] = allocate(widest_batch * n[l], sizeof(double));
    D[l] = allocate(widest_batch * n[l], sizeof(double));
  }

  make_folder("");
  make_folder("initial");
  save("", "x", x.data, 2, x.shape[0], n[0]);
  save("", "y", y.data, 2, y.shape[0], n[L]);
  for (int l = 0; l < L; l++) {
    snprintf(name, sizeof name, "W%d", l), save("initial/", name, W[l], 2, n[l + 1], n[l]);
    snprintf(name, sizeof name, "b%d", l), save("initial/", name, b[l], 1, 0, n[l + 1]);
  }
  if (c.activated) save("initial/", "b_in", b_in, 1, 0, n[0]);

  for (size_t s = 0; s < c.steps; s++) {
    const int t = (int)s + 1;
    const size_t r = c.batch_rows[s];
    snprintf(folder, sizeof folder, "step-%04d/", t);
    make_folder(folder);

    /* Forward: A_0 = X (or Z_0 = X + b_in, A_0 = f_0(Z_0)); Z_{l+1} = A_l·W_lᵀ + b_l, A_{l+1} = f(Z_{l+1}). */
    for (size_t i = 0; i < r; i++) {
      const double *row = x.data + c.batches[s][i] * n[0];
      for (size_t k = 0; k < n[0]; k++) {
        if (c.activated) Z[0][i * n[0] + k] = row[k] + b_in[k];
        else A[0][i * n[0] + k] = row[k];
      }
      if (c.activated) activate(c.f[0], Z[0] + i * n[0], A[0] + i * n[0], n[0]);
    }
    for (int l = 0; l < L; l++) {
      for (size_t i = 0; i < r; i++) {
        for (size_t j = 0; j < n[l + 1]; j++) {
          double sum = 0;
          for (size_t k = 0; k < n[l]; k++) sum += A[l][i * n[l] + k] * W[l][j * n[l] + k];
          Z[l + 1][i * n[l + 1] + j] = sum + b[l][j];
        }
        activate(c.f[l + 1], Z[l + 1] + i * n[l + 1], A[l + 1] + i * n[l + 1], n[l + 1]);
      }
    }

    /* The loss, the mean over the rows, and δ_L. */
    double loss = 0;
    for (size_t i = 0; i < r; i++) {
      const double *target = y.data + c.batches[s][i] * n[L];
      const double *z = Z[L] + i * n[L], *a = A[L] + i * n[L];
      double *d = D[L] + i * n[L];
      if (c.cross_entropy) { /* −Σ_k y_k (z_k − max − ln Σ e^{z − max}) */
        double max = z[0], sum = 0;
        for (size_t k = 1; k < n[L]; k++) max = z[k] > max ? z[k] : max;
        for (size_t k = 0; k < n[L]; k++) sum += exp(z[k] - max);
        for (size_t k = 0; k < n[L]; k++) loss -= target[k] * (z[k] - max - log(sum)), d[k] = a[k] - target[k];
      } else {
        for (size_t k = 0; k < n[L]; k++) {
          double e = a[k] - target[k];
          loss += 0.5 * e * e;
          d[k] = e * derivative(c.f[L], z[k], a[k]);
        }
      }
    }
    loss /= (double)r;

    /* δ_l = (δ_{l+1}·W_l) ⊙ f′(Z_l), down to layer 1 (layer 0 with an activated input). */
    for (int l = L - 1; l >= (c.activated ? 0 : 1); l--) {
      for (size_t i = 0; i < r; i++) {
        for (size_t k = 0; k < n[l]; k++) {
          double sum = 0;
          for (size_t j = 0; j < n[l + 1]; j++) sum += D[l + 1][i * n[l + 1] + j] * W[l][j * n[l] + k];
          D[l][i * n[l] + k] = sum * derivative(c.f[l], Z[l][i * n[l] + k], A[l][i * n[l] + k]);
        }
      }
    }

    /* The mean gradients: ∇W_l = (1/r) δ_{l+1}ᵀ·A_l, ∇b_l = (1/r) Σ_rows δ_{l+1}, ∇b_in = (1/r) Σ_rows δ_0. */
    for (int l = 0; l < L; l++) {
      for (size_t j = 0; j < n[l + 1]; j++) {
        for (size_t k = 0; k < n[l]; k++) {
          double sum = 0;
          for (size_t i = 0; i < r; i++) sum += D[l + 1][i * n[l + 1] + j] * A[l][i * n[l] + k];
          dW[l][j * n[l] + k] = sum / (double)r;
        }
        double sum = 0;
        for (size_t i = 0; i < r; i++) sum += D[l + 1][i * n[l + 1] + j];
        db[l][j] = sum / (double)r;
      }
    }
    if (c.activated) {
      for (size_t k = 0; k < n[0]; k++) {
        double sum = 0;
        for (size_t i = 0; i < r; i++) sum += D[0][i * n[0] + k];
        db_in[k] = sum / (double)r;
      }
    }

    /* What the step computed, before the update. */
    for (int l = 0; l <= L; l++) {
      if (l > 0 || c.activated) snprintf(name, sizeof name, "z%d", l), save(folder, name, Z[l], 2, r, n[l]);
      snprintf(name, sizeof name, "a%d", l), save(folder, name, A[l], 2, r, n[l]);
      if (l > 0 || c.activated) snprintf(name, sizeof name, "delta%d", l), save(folder, name, D[l], 2, r, n[l]);
    }
    save(folder, "loss", &loss, 0, 0, 0);
    for (int l = 0; l < L; l++) {
      snprintf(name, sizeof name, "dW%d", l), save(folder, name, dW[l], 2, n[l + 1], n[l]);
      snprintf(name, sizeof name, "db%d", l), save(folder, name, db[l], 1, 0, n[l + 1]);
    }
    if (c.activated) save(folder, "db_in", db_in, 1, 0, n[0]);

    /* The update: η for the weights, η_b for every bias; then the parameters after it. */
    for (int l = 0; l < L; l++) {
      update(&c, W[l], dW[l], mW[l], vW[l], n[l + 1] * n[l], c.eta, t);
      update(&c, b[l], db[l], mb[l], vb[l], n[l + 1], c.eta_b, t);
      snprintf(name, sizeof name, "W%d", l), save(folder, name, W[l], 2, n[l + 1], n[l]);
      snprintf(name, sizeof name, "b%d", l), save(folder, name, b[l], 1, 0, n[l + 1]);
    }
    if (c.activated) {
      update(&c, b_in, db_in, m_in, v_in, n[0], c.eta_b, t);
      save(folder, "b_in", b_in, 1, 0, n[0]);
    }
  }

  /* trace.json: the one read, with this program as the producer, in f64. */
  char *out_json = replace_value(text, "producer", "C99 (examples/agreement/mlp.c)");
  char *final_json = replace_value(out_json, "precision", "f64");
  snprintf(json_path, sizeof json_path, "%s/trace.json", out_dir);
  FILE *f = fopen(json_path, "w");
  if (!f || fputs(final_json, f) < 0 || fclose(f) != 0) die("%s: could not write", json_path);
  return 0;
}
