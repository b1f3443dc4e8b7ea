// Renders /openapi/v1.json as a browsable list of operations. No dependencies, no inline code (CSP: default-src 'self').
(async function () {
  const container = document.getElementById('operations');
  let doc;
  try {
    const response = await fetch('/openapi/v1.json');
    doc = await response.json();
  } catch (error) {
    container.textContent = 'Could not load the OpenAPI document: ' + error;
    return;
  }

  document.getElementById('title').textContent = doc.info?.title ?? 'API';
  document.getElementById('description').textContent = doc.info?.description ?? '';
  const schemas = doc.components?.schemas ?? {};
  const el = (tag, props = {}, children = []) => {
    const node = document.createElement(tag);
    Object.assign(node, props);
    for (const child of [].concat(children)) node.append(child);
    return node;
  };
  const refName = (schema) => schema?.$ref ? schema.$ref.split('/').pop() : null;
  const describe = (schema, depth = 0) => {
    if (!schema) return 'any';
    const name = refName(schema);
    if (name) return depth > 2 ? name : describe(schemas[name], depth + 1);
    if (schema.type === 'array' || (Array.isArray(schema.type) && schema.type.includes('array'))) return [describe(schema.items, depth + 1)];
    if (schema.properties) {
      const shape = {};
      for (const [key, value] of Object.entries(schema.properties)) shape[key] = describe(value, depth + 1);
      return shape;
    }
    return [].concat(schema.type ?? 'any').join('|') + (schema.format ? ` (${schema.format})` : '');
  };

  const byTag = new Map();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const tag = op.tags?.[0] ?? 'Other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push({ path, method, op });
    }
  }

  container.replaceChildren();
  for (const [tag, operations] of byTag) {
    const section = el('section', { className: 'tag' }, [el('h2', { textContent: tag })]);
    for (const { path, method, op } of operations) {
      const summary = el('summary', {}, [
        el('span', { className: `method ${method}`, textContent: method.toUpperCase() }),
        el('span', { className: 'path', textContent: path }),
        el('span', { className: 'muted', textContent: op.summary ?? '' }),
      ]);
      if (op.responses?.['401'] && path !== '/api/auth/login' && path !== '/api/auth/refresh') {
        summary.append(el('span', { className: 'lock', textContent: 'bearer token' }));
      }
      const body = el('div', { className: 'body' });
      if (op.description) body.append(el('p', { textContent: op.description }));
      if (op.parameters?.length) {
        const rows = op.parameters.map(p => el('tr', {}, [
          el('td', { textContent: p.name }), el('td', { textContent: p.in }),
          el('td', { textContent: p.required ? 'required' : 'optional' }), el('td', { textContent: JSON.stringify(describe(p.schema)) }),
        ]));
        body.append(el('h4', { textContent: 'Parameters' }), el('table', {}, rows));
      }
      const content = op.requestBody?.content ?? {};
      for (const [type, media] of Object.entries(content)) {
        body.append(el('h4', { textContent: `Body (${type})` }), el('pre', { textContent: JSON.stringify(describe(media.schema), null, 2) }));
      }
      const responses = Object.entries(op.responses ?? {}).map(([status, r]) => {
        const media = Object.entries(r.content ?? {})[0];
        return el('tr', {}, [
          el('td', { textContent: status }), el('td', { textContent: r.description ?? '' }),
          el('td', {}, media ? [el('pre', { textContent: JSON.stringify(describe(media[1].schema), null, 2) })] : []),
        ]);
      });
      body.append(el('h4', { textContent: 'Responses' }), el('table', {}, responses));
      const details = el('details', { title: `${method.toUpperCase()} ${path}` }, [summary, body]);
      details.dataset.search = `${method} ${path} ${op.summary ?? ''} ${tag}`.toLowerCase();
      section.append(details);
    }
    container.append(section);
  }

  document.getElementById('filter').addEventListener('input', (event) => {
    const query = event.target.value.toLowerCase().trim();
    for (const details of container.querySelectorAll('details')) {
      details.hidden = query !== '' && !details.dataset.search.includes(query);
    }
  });
})();
