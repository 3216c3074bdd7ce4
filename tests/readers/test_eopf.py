import xarray as xr, pickle, time
def test_x(entries, local_source, remote_source):
    e = entries("eopf_zarr")[0]
    print(e.name, sorted(e.payload.files)[:20], len(e.payload.files))
    print(e.payload.files['.zgroup'], e.payload.files['measurements/reflectance/r10m/b02/.zarray'])
    for layout in ("cdse","flat","nosuffix","folder"):
        s = local_source(e, layout)
        print(layout, s, s.root)
        m = s.mapper()
        t=time.time()
        tree = xr.open_datatree(m, engine="zarr", consolidated=True, chunks={})
        print(time.time()-t)
        b = tree["measurements/reflectance/r10m/b02"]
        print(b.dtype, b.encoding, b.data)
        print(float(b[0,0]), b.attrs)
        p = pickle.loads(pickle.dumps(b))
        print(float(p[1,1]))
    s = remote_source(e)
    t=time.time()
    tree = xr.open_datatree(s.mapper(), engine="zarr", consolidated=True, chunks={})
    print(time.time()-t)
    b = tree["measurements/reflectance/r10m/b02"]
    print(float(b[0,0]))
    p = pickle.loads(pickle.dumps(b))
    print(float(p[1,1]))
    print(tree)
