;; Kernels in WebAssembly SIMD that run directly on tfjs-backend-wasm's heap (src/kernels/simd-*.ts).
;;
;; Convolution filter gradients. XNNPACK (behind tfjs' wasm backend) has no kernel for either: a
;; depthwise filter gradient is a per-channel sum of products, and a dense one is a matrix product
;; whose reduction runs over every pixel, which XNNPACK only reaches through slow indirections.
;; Both are written here as loops over output rows: each row of dy meets the input rows its taps
;; read, in cache.
;;
;;   dW[ky, kx, c, k] += Σ x[n, oy·sh + ky·dh − pt, ox·sw + kx·dw − pl, c] · dy[n, oy, ox, k]
;;
;; over the output rows r = n·ho + oy in [row0, row1), so threads can split the rows and sum their
;; partial filters. Tensors are NHWC float32; every address is a byte offset into the imported
;; memory (tfjs' own heap). Results are ADDED to `out`, which the caller zeroes.
;;
;; Column sums (bias gradients: a sum over every axis but the channels) stream the rows once, and
;; strided run copies move the data of slices, splits and concatenations.
;;
;; The memory import below is the threaded build's (shared); the assembler drops `shared` and the
;; maximum for the single-threaded build, whose heap is a plain memory.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; The output columns [ox0, ox1) whose input column ox·sw + off lies inside [0, w), packed as
  ;; ox0 | ox1 << 16 (widths stay far below 65536).
  (func $validColumns (param $off i32) (param $w i32) (param $wo i32) (param $sw i32) (result i32)
    (local $ox0 i32) (local $ox1 i32)
    (if (i32.lt_s (local.get $off) (i32.const 0))
      (then
        (local.set $ox0
          (i32.div_u (i32.sub (i32.add (local.get $sw) (i32.const -1)) (local.get $off)) (local.get $sw)))))
    (if (i32.lt_s (i32.sub (i32.sub (local.get $w) (i32.const 1)) (local.get $off)) (i32.const 0))
      (then (return (i32.const 0))))
    (local.set $ox1
      (i32.add
        (i32.div_u (i32.sub (i32.sub (local.get $w) (i32.const 1)) (local.get $off)) (local.get $sw))
        (i32.const 1)))
    (if (i32.gt_s (local.get $ox1) (local.get $wo)) (then (local.set $ox1 (local.get $wo))))
    (if (i32.ge_s (local.get $ox0) (local.get $ox1)) (then (return (i32.const 0))))
    (i32.or (local.get $ox0) (i32.shl (local.get $ox1) (i32.const 16))))

  ;; ---------------------------------------------------------------------------------------------
  ;; Depthwise (multiplier 1): out[c] += Σ_i x[i][c] · dy[i][c] along one row segment of `count`
  ;; pixels, for all `c` channels. Sixteen channels (four independent accumulators) at a time,
  ;; then four, then one.
  (func $depthwiseRow
    (param $xp i32) (param $dp i32) (param $op i32) (param $count i32)
    (param $xStep i32) (param $dStep i32) (param $c i32)
    (local $ch i32) (local $i i32) (local $xi i32) (local $di i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $s f32)
    ;; 16 channels
    (block $done16
      (loop $next16
        (br_if $done16 (i32.gt_s (i32.add (local.get $ch) (i32.const 16)) (local.get $c)))
        (local.set $a0 (v128.const f32x4 0 0 0 0))
        (local.set $a1 (v128.const f32x4 0 0 0 0))
        (local.set $a2 (v128.const f32x4 0 0 0 0))
        (local.set $a3 (v128.const f32x4 0 0 0 0))
        (local.set $xi (i32.add (local.get $xp) (i32.shl (local.get $ch) (i32.const 2))))
        (local.set $di (i32.add (local.get $dp) (i32.shl (local.get $ch) (i32.const 2))))
        (local.set $i (local.get $count))
        (loop $pixel
          (local.set $a0 (f32x4.add (local.get $a0)
            (f32x4.mul (v128.load align=4 (local.get $xi)) (v128.load align=4 (local.get $di)))))
          (local.set $a1 (f32x4.add (local.get $a1)
            (f32x4.mul (v128.load offset=16 align=4 (local.get $xi)) (v128.load offset=16 align=4 (local.get $di)))))
          (local.set $a2 (f32x4.add (local.get $a2)
            (f32x4.mul (v128.load offset=32 align=4 (local.get $xi)) (v128.load offset=32 align=4 (local.get $di)))))
          (local.set $a3 (f32x4.add (local.get $a3)
            (f32x4.mul (v128.load offset=48 align=4 (local.get $xi)) (v128.load offset=48 align=4 (local.get $di)))))
          (local.set $xi (i32.add (local.get $xi) (local.get $xStep)))
          (local.set $di (i32.add (local.get $di) (local.get $dStep)))
          (local.set $i (i32.sub (local.get $i) (i32.const 1)))
          (br_if $pixel (local.get $i)))
        (local.set $xi (i32.add (local.get $op) (i32.shl (local.get $ch) (i32.const 2))))
        (v128.store align=4 (local.get $xi) (f32x4.add (v128.load align=4 (local.get $xi)) (local.get $a0)))
        (v128.store offset=16 align=4 (local.get $xi)
          (f32x4.add (v128.load offset=16 align=4 (local.get $xi)) (local.get $a1)))
        (v128.store offset=32 align=4 (local.get $xi)
          (f32x4.add (v128.load offset=32 align=4 (local.get $xi)) (local.get $a2)))
        (v128.store offset=48 align=4 (local.get $xi)
          (f32x4.add (v128.load offset=48 align=4 (local.get $xi)) (local.get $a3)))
        (local.set $ch (i32.add (local.get $ch) (i32.const 16)))
        (br $next16)))
    ;; 4 channels
    (block $done4
      (loop $next4
        (br_if $done4 (i32.gt_s (i32.add (local.get $ch) (i32.const 4)) (local.get $c)))
        (local.set $a0 (v128.const f32x4 0 0 0 0))
        (local.set $xi (i32.add (local.get $xp) (i32.shl (local.get $ch) (i32.const 2))))
        (local.set $di (i32.add (local.get $dp) (i32.shl (local.get $ch) (i32.const 2))))
        (local.set $i (local.get $count))
        (loop $pixel
          (local.set $a0 (f32x4.add (local.get $a0)
            (f32x4.mul (v128.load align=4 (local.get $xi)) (v128.load align=4 (local.get $di)))))
          (local.set $xi (i32.add (local.get $xi) (local.get $xStep)))
          (local.set $di (i32.add (local.get $di) (local.get $dStep)))
          (local.set $i (i32.sub (local.get $i) (i32.const 1)))
          (br_if $pixel (local.get $i)))
        (local.set $xi (i32.add (local.get $op) (i32.shl (local.get $ch) (i32.const 2))))
        (v128.store align=4 (local.get $xi) (f32x4.add (v128.load align=4 (local.get $xi)) (local.get $a0)))
        (local.set $ch (i32.add (local.get $ch) (i32.const 4)))
        (br $next4)))
    ;; single channels
    (block $done1
      (loop $next1
        (br_if $done1 (i32.ge_s (local.get $ch) (local.get $c)))
        (local.set $s (f32.const 0))
        (local.set $xi (i32.add (local.get $xp) (i32.shl (local.get $ch) (i32.const 2))))
        (local.set $di (i32.add (local.get $dp) (i32.shl (local.get $ch) (i32.const 2))))
        (local.set $i (local.get $count))
        (loop $pixel
          (local.set $s (f32.add (local.get $s)
            (f32.mul (f32.load (local.get $xi)) (f32.load (local.get $di)))))
          (local.set $xi (i32.add (local.get $xi) (local.get $xStep)))
          (local.set $di (i32.add (local.get $di) (local.get $dStep)))
          (local.set $i (i32.sub (local.get $i) (i32.const 1)))
          (br_if $pixel (local.get $i)))
        (local.set $xi (i32.add (local.get $op) (i32.shl (local.get $ch) (i32.const 2))))
        (f32.store (local.get $xi) (f32.add (f32.load (local.get $xi)) (local.get $s)))
        (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
        (br $next1))))

  ;; ---------------------------------------------------------------------------------------------
  ;; Dense micro-kernels: a tile of `rows` input channels × `cols` output channels of one tap,
  ;; out[r][k] += Σ_i x[i][r] · dy[i][k] along one row segment. Each x value is splat across a
  ;; vector of four output channels; the tile's accumulators stay in registers for the segment.
  ;; $xp/$dp point at the tile's first input / output channel of the segment's first pixel; $op
  ;; at out[r0][k0] with rows `co` floats apart ($oStride bytes).

  ;; 4 input channels × 8 output channels.
  (func $denseTile4x8
    (param $xp i32) (param $dp i32) (param $op i32) (param $count i32)
    (param $xStep i32) (param $dStep i32) (param $oStride i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local $d0 v128) (local $d1 v128) (local $s v128)
    (loop $pixel
      (local.set $d0 (v128.load align=4 (local.get $dp)))
      (local.set $d1 (v128.load offset=16 align=4 (local.get $dp)))
      (local.set $s (v128.load32_splat (local.get $xp)))
      (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $s) (local.get $d0))))
      (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $s) (local.get $d1))))
      (local.set $s (v128.load32_splat offset=4 (local.get $xp)))
      (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $s) (local.get $d0))))
      (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $s) (local.get $d1))))
      (local.set $s (v128.load32_splat offset=8 (local.get $xp)))
      (local.set $a4 (f32x4.add (local.get $a4) (f32x4.mul (local.get $s) (local.get $d0))))
      (local.set $a5 (f32x4.add (local.get $a5) (f32x4.mul (local.get $s) (local.get $d1))))
      (local.set $s (v128.load32_splat offset=12 (local.get $xp)))
      (local.set $a6 (f32x4.add (local.get $a6) (f32x4.mul (local.get $s) (local.get $d0))))
      (local.set $a7 (f32x4.add (local.get $a7) (f32x4.mul (local.get $s) (local.get $d1))))
      (local.set $xp (i32.add (local.get $xp) (local.get $xStep)))
      (local.set $dp (i32.add (local.get $dp) (local.get $dStep)))
      (local.set $count (i32.sub (local.get $count) (i32.const 1)))
      (br_if $pixel (local.get $count)))
    (call $addPair (local.get $op) (local.get $a0) (local.get $a1))
    (local.set $op (i32.add (local.get $op) (local.get $oStride)))
    (call $addPair (local.get $op) (local.get $a2) (local.get $a3))
    (local.set $op (i32.add (local.get $op) (local.get $oStride)))
    (call $addPair (local.get $op) (local.get $a4) (local.get $a5))
    (local.set $op (i32.add (local.get $op) (local.get $oStride)))
    (call $addPair (local.get $op) (local.get $a6) (local.get $a7)))

  ;; 4 input channels × 4 output channels.
  (func $denseTile4x4
    (param $xp i32) (param $dp i32) (param $op i32) (param $count i32)
    (param $xStep i32) (param $dStep i32) (param $oStride i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $d0 v128)
    (loop $pixel
      (local.set $d0 (v128.load align=4 (local.get $dp)))
      (local.set $a0 (f32x4.add (local.get $a0)
        (f32x4.mul (v128.load32_splat (local.get $xp)) (local.get $d0))))
      (local.set $a1 (f32x4.add (local.get $a1)
        (f32x4.mul (v128.load32_splat offset=4 (local.get $xp)) (local.get $d0))))
      (local.set $a2 (f32x4.add (local.get $a2)
        (f32x4.mul (v128.load32_splat offset=8 (local.get $xp)) (local.get $d0))))
      (local.set $a3 (f32x4.add (local.get $a3)
        (f32x4.mul (v128.load32_splat offset=12 (local.get $xp)) (local.get $d0))))
      (local.set $xp (i32.add (local.get $xp) (local.get $xStep)))
      (local.set $dp (i32.add (local.get $dp) (local.get $dStep)))
      (local.set $count (i32.sub (local.get $count) (i32.const 1)))
      (br_if $pixel (local.get $count)))
    (call $addOne (local.get $op) (local.get $a0))
    (local.set $op (i32.add (local.get $op) (local.get $oStride)))
    (call $addOne (local.get $op) (local.get $a1))
    (local.set $op (i32.add (local.get $op) (local.get $oStride)))
    (call $addOne (local.get $op) (local.get $a2))
    (local.set $op (i32.add (local.get $op) (local.get $oStride)))
    (call $addOne (local.get $op) (local.get $a3)))

  ;; 1 input channel × 8 output channels (the input channels left over after blocks of four).
  (func $denseTile1x8
    (param $xp i32) (param $dp i32) (param $op i32) (param $count i32)
    (param $xStep i32) (param $dStep i32)
    (local $a0 v128) (local $a1 v128) (local $s v128)
    (loop $pixel
      (local.set $s (v128.load32_splat (local.get $xp)))
      (local.set $a0 (f32x4.add (local.get $a0)
        (f32x4.mul (local.get $s) (v128.load align=4 (local.get $dp)))))
      (local.set $a1 (f32x4.add (local.get $a1)
        (f32x4.mul (local.get $s) (v128.load offset=16 align=4 (local.get $dp)))))
      (local.set $xp (i32.add (local.get $xp) (local.get $xStep)))
      (local.set $dp (i32.add (local.get $dp) (local.get $dStep)))
      (local.set $count (i32.sub (local.get $count) (i32.const 1)))
      (br_if $pixel (local.get $count)))
    (call $addPair (local.get $op) (local.get $a0) (local.get $a1)))

  ;; 1 input channel × 4 output channels.
  (func $denseTile1x4
    (param $xp i32) (param $dp i32) (param $op i32) (param $count i32)
    (param $xStep i32) (param $dStep i32)
    (local $a0 v128)
    (loop $pixel
      (local.set $a0 (f32x4.add (local.get $a0)
        (f32x4.mul (v128.load32_splat (local.get $xp)) (v128.load align=4 (local.get $dp)))))
      (local.set $xp (i32.add (local.get $xp) (local.get $xStep)))
      (local.set $dp (i32.add (local.get $dp) (local.get $dStep)))
      (local.set $count (i32.sub (local.get $count) (i32.const 1)))
      (br_if $pixel (local.get $count)))
    (call $addOne (local.get $op) (local.get $a0)))

  (func $addOne (param $p i32) (param $a v128)
    (v128.store align=4 (local.get $p) (f32x4.add (v128.load align=4 (local.get $p)) (local.get $a))))

  (func $addPair (param $p i32) (param $a v128) (param $b v128)
    (v128.store align=4 (local.get $p) (f32x4.add (v128.load align=4 (local.get $p)) (local.get $a)))
    (v128.store offset=16 align=4 (local.get $p)
      (f32x4.add (v128.load offset=16 align=4 (local.get $p)) (local.get $b))))

  ;; One row segment of one dense tap: every (input block × output block) tile. co % 4 == 0.
  (func $denseRow
    (param $xp i32) (param $dp i32) (param $op i32) (param $count i32)
    (param $xStep i32) (param $dStep i32) (param $ci i32) (param $co i32)
    (local $r i32) (local $k i32) (local $oStride i32) (local $rowOut i32)
    (local.set $oStride (i32.shl (local.get $co) (i32.const 2)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_s (local.get $r) (local.get $ci)))
        (local.set $rowOut (i32.add (local.get $op) (i32.mul (local.get $r) (local.get $oStride))))
        (local.set $k (i32.const 0))
        (if (i32.le_s (i32.add (local.get $r) (i32.const 4)) (local.get $ci))
          (then
            (block $colsDone
              (loop $cols
                (br_if $colsDone (i32.gt_s (i32.add (local.get $k) (i32.const 8)) (local.get $co)))
                (call $denseTile4x8
                  (i32.add (local.get $xp) (i32.shl (local.get $r) (i32.const 2)))
                  (i32.add (local.get $dp) (i32.shl (local.get $k) (i32.const 2)))
                  (i32.add (local.get $rowOut) (i32.shl (local.get $k) (i32.const 2)))
                  (local.get $count) (local.get $xStep) (local.get $dStep) (local.get $oStride))
                (local.set $k (i32.add (local.get $k) (i32.const 8)))
                (br $cols)))
            (if (i32.lt_s (local.get $k) (local.get $co))
              (then
                (call $denseTile4x4
                  (i32.add (local.get $xp) (i32.shl (local.get $r) (i32.const 2)))
                  (i32.add (local.get $dp) (i32.shl (local.get $k) (i32.const 2)))
                  (i32.add (local.get $rowOut) (i32.shl (local.get $k) (i32.const 2)))
                  (local.get $count) (local.get $xStep) (local.get $dStep) (local.get $oStride))))
            (local.set $r (i32.add (local.get $r) (i32.const 4))))
          (else
            (block $colsDone
              (loop $cols
                (br_if $colsDone (i32.gt_s (i32.add (local.get $k) (i32.const 8)) (local.get $co)))
                (call $denseTile1x8
                  (i32.add (local.get $xp) (i32.shl (local.get $r) (i32.const 2)))
                  (i32.add (local.get $dp) (i32.shl (local.get $k) (i32.const 2)))
                  (i32.add (local.get $rowOut) (i32.shl (local.get $k) (i32.const 2)))
                  (local.get $count) (local.get $xStep) (local.get $dStep))
                (local.set $k (i32.add (local.get $k) (i32.const 8)))
                (br $cols)))
            (if (i32.lt_s (local.get $k) (local.get $co))
              (then
                (call $denseTile1x4
                  (i32.add (local.get $xp) (i32.shl (local.get $r) (i32.const 2)))
                  (i32.add (local.get $dp) (i32.shl (local.get $k) (i32.const 2)))
                  (i32.add (local.get $rowOut) (i32.shl (local.get $k) (i32.const 2)))
                  (local.get $count) (local.get $xStep) (local.get $dStep))))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))))
        (br $rows))))

  ;; ---------------------------------------------------------------------------------------------
  ;; The row walk both gradients share: for each output row, each tap row inside the image, each
  ;; tap column, the segment of output columns whose input column is inside the image.
  ;; $depthwise selects the per-channel product (co = ci) or the dense tile product.
  (func $filterGrad
    (param $depthwise i32)
    (param $x i32) (param $dy i32) (param $out i32)
    (param $h i32) (param $w i32) (param $ci i32) (param $co i32) (param $ho i32) (param $wo i32)
    (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
    (param $pt i32) (param $pl i32) (param $row0 i32) (param $row1 i32)
    (local $r i32) (local $n i32) (local $oy i32) (local $ky i32) (local $kx i32) (local $iy i32)
    (local $xRow i32) (local $dyRow i32) (local $off i32) (local $span i32) (local $ox0 i32)
    (local $xPixel i32) (local $dPixel i32) (local $tapSize i32) (local $tapOut i32)
    (local.set $xPixel (i32.shl (local.get $ci) (i32.const 2)))
    (local.set $dPixel (i32.shl (local.get $co) (i32.const 2)))
    (local.set $tapSize
      (if (result i32) (local.get $depthwise)
        (then (local.get $xPixel))
        (else (i32.mul (local.get $xPixel) (local.get $co)))))
    (local.set $r (local.get $row0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_s (local.get $r) (local.get $row1)))
        (local.set $n (i32.div_u (local.get $r) (local.get $ho)))
        (local.set $oy (i32.rem_u (local.get $r) (local.get $ho)))
        (local.set $dyRow (i32.add (local.get $dy)
          (i32.mul (i32.mul (local.get $r) (local.get $wo)) (local.get $dPixel))))
        (local.set $ky (i32.const 0))
        (block $tapRowsDone
          (loop $tapRows
            (br_if $tapRowsDone (i32.ge_s (local.get $ky) (local.get $kh)))
            (local.set $iy (i32.sub
              (i32.add (i32.mul (local.get $oy) (local.get $sh)) (i32.mul (local.get $ky) (local.get $dh)))
              (local.get $pt)))
            (if (i32.and (i32.ge_s (local.get $iy) (i32.const 0)) (i32.lt_s (local.get $iy) (local.get $h)))
              (then
                (local.set $xRow (i32.add (local.get $x)
                  (i32.mul
                    (i32.mul (i32.add (i32.mul (local.get $n) (local.get $h)) (local.get $iy)) (local.get $w))
                    (local.get $xPixel))))
                (local.set $kx (i32.const 0))
                (block $tapColsDone
                  (loop $tapCols
                    (br_if $tapColsDone (i32.ge_s (local.get $kx) (local.get $kw)))
                    (local.set $off (i32.sub (i32.mul (local.get $kx) (local.get $dw)) (local.get $pl)))
                    (local.set $span
                      (call $validColumns (local.get $off) (local.get $w) (local.get $wo) (local.get $sw)))
                    (if (local.get $span)
                      (then
                        (local.set $ox0 (i32.and (local.get $span) (i32.const 0xffff)))
                        (local.set $tapOut (i32.add (local.get $out)
                          (i32.mul
                            (i32.add (i32.mul (local.get $ky) (local.get $kw)) (local.get $kx))
                            (local.get $tapSize))))
                        (if (local.get $depthwise)
                          (then
                            (call $depthwiseRow
                              (i32.add (local.get $xRow) (i32.mul
                                (i32.add (i32.mul (local.get $ox0) (local.get $sw)) (local.get $off))
                                (local.get $xPixel)))
                              (i32.add (local.get $dyRow) (i32.mul (local.get $ox0) (local.get $dPixel)))
                              (local.get $tapOut)
                              (i32.sub (i32.shr_u (local.get $span) (i32.const 16)) (local.get $ox0))
                              (i32.mul (local.get $sw) (local.get $xPixel))
                              (local.get $dPixel)
                              (local.get $ci)))
                          (else
                            (call $denseRow
                              (i32.add (local.get $xRow) (i32.mul
                                (i32.add (i32.mul (local.get $ox0) (local.get $sw)) (local.get $off))
                                (local.get $xPixel)))
                              (i32.add (local.get $dyRow) (i32.mul (local.get $ox0) (local.get $dPixel)))
                              (local.get $tapOut)
                              (i32.sub (i32.shr_u (local.get $span) (i32.const 16)) (local.get $ox0))
                              (i32.mul (local.get $sw) (local.get $xPixel))
                              (local.get $dPixel)
                              (local.get $ci)
                              (local.get $co))))))
                    (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
                    (br $tapCols)))))
            (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
            (br $tapRows)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))

  ;; dW [kh, kw, c, 1] of a depthwise conv with multiplier 1 (x and dy both have c channels).
  (func (export "depthwiseFilterGrad")
    (param $x i32) (param $dy i32) (param $out i32)
    (param $h i32) (param $w i32) (param $c i32) (param $ho i32) (param $wo i32)
    (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
    (param $pt i32) (param $pl i32) (param $row0 i32) (param $row1 i32)
    (call $filterGrad (i32.const 1)
      (local.get $x) (local.get $dy) (local.get $out)
      (local.get $h) (local.get $w) (local.get $c) (local.get $c) (local.get $ho) (local.get $wo)
      (local.get $kh) (local.get $kw) (local.get $sh) (local.get $sw) (local.get $dh) (local.get $dw)
      (local.get $pt) (local.get $pl) (local.get $row0) (local.get $row1)))

  ;; dW [kh, kw, ci, co] of a dense conv; co must be a multiple of 4.
  (func (export "convFilterGrad")
    (param $x i32) (param $dy i32) (param $out i32)
    (param $h i32) (param $w i32) (param $ci i32) (param $co i32) (param $ho i32) (param $wo i32)
    (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
    (param $pt i32) (param $pl i32) (param $row0 i32) (param $row1 i32)
    (call $filterGrad (i32.const 0)
      (local.get $x) (local.get $dy) (local.get $out)
      (local.get $h) (local.get $w) (local.get $ci) (local.get $co) (local.get $ho) (local.get $wo)
      (local.get $kh) (local.get $kw) (local.get $sh) (local.get $sw) (local.get $dh) (local.get $dw)
      (local.get $pt) (local.get $pl) (local.get $row0) (local.get $row1)))

  ;; dst[j] = Σ_i src[i][j] over `rows` rows of `cols` floats. Blocks of 64 rows are summed in
  ;; registers, sixteen columns at a time, before they reach dst: one pass over src, and partial
  ;; sums of 64 terms keep the rounding error of long columns small.
  (func (export "sumRows") (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (local $rowBytes i32) (local $block i32) (local $c i32) (local $p i32) (local $i i32) (local $q i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $s f32)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (memory.fill (local.get $dst) (i32.const 0) (local.get $rowBytes))
    (block $blocksDone
      (loop $blocks
        (br_if $blocksDone (i32.le_s (local.get $rows) (i32.const 0)))
        (local.set $block
          (select (i32.const 64) (local.get $rows) (i32.gt_s (local.get $rows) (i32.const 64))))
        (local.set $c (i32.const 0))
        ;; 16 columns
        (block $done16
          (loop $next16
            (br_if $done16 (i32.gt_s (i32.add (local.get $c) (i32.const 16)) (local.get $cols)))
            (local.set $a0 (v128.const f32x4 0 0 0 0))
            (local.set $a1 (v128.const f32x4 0 0 0 0))
            (local.set $a2 (v128.const f32x4 0 0 0 0))
            (local.set $a3 (v128.const f32x4 0 0 0 0))
            (local.set $p (i32.add (local.get $src) (i32.shl (local.get $c) (i32.const 2))))
            (local.set $i (local.get $block))
            (loop $row
              (local.set $a0 (f32x4.add (local.get $a0) (v128.load align=4 (local.get $p))))
              (local.set $a1 (f32x4.add (local.get $a1) (v128.load offset=16 align=4 (local.get $p))))
              (local.set $a2 (f32x4.add (local.get $a2) (v128.load offset=32 align=4 (local.get $p))))
              (local.set $a3 (f32x4.add (local.get $a3) (v128.load offset=48 align=4 (local.get $p))))
              (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
              (local.set $i (i32.sub (local.get $i) (i32.const 1)))
              (br_if $row (local.get $i)))
            (local.set $q (i32.add (local.get $dst) (i32.shl (local.get $c) (i32.const 2))))
            (call $addPair (local.get $q) (local.get $a0) (local.get $a1))
            (call $addPair (i32.add (local.get $q) (i32.const 32)) (local.get $a2) (local.get $a3))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $next16)))
        ;; 4 columns
        (block $done4
          (loop $next4
            (br_if $done4 (i32.gt_s (i32.add (local.get $c) (i32.const 4)) (local.get $cols)))
            (local.set $a0 (v128.const f32x4 0 0 0 0))
            (local.set $p (i32.add (local.get $src) (i32.shl (local.get $c) (i32.const 2))))
            (local.set $i (local.get $block))
            (loop $row
              (local.set $a0 (f32x4.add (local.get $a0) (v128.load align=4 (local.get $p))))
              (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
              (local.set $i (i32.sub (local.get $i) (i32.const 1)))
              (br_if $row (local.get $i)))
            (call $addOne (i32.add (local.get $dst) (i32.shl (local.get $c) (i32.const 2))) (local.get $a0))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $next4)))
        ;; single columns
        (block $done1
          (loop $next1
            (br_if $done1 (i32.ge_s (local.get $c) (local.get $cols)))
            (local.set $s (f32.const 0))
            (local.set $p (i32.add (local.get $src) (i32.shl (local.get $c) (i32.const 2))))
            (local.set $i (local.get $block))
            (loop $row
              (local.set $s (f32.add (local.get $s) (f32.load (local.get $p))))
              (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
              (local.set $i (i32.sub (local.get $i) (i32.const 1)))
              (br_if $row (local.get $i)))
            (local.set $q (i32.add (local.get $dst) (i32.shl (local.get $c) (i32.const 2))))
            (f32.store (local.get $q) (f32.add (f32.load (local.get $q)) (local.get $s)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $next1)))
        (local.set $src (i32.add (local.get $src) (i32.mul (local.get $block) (local.get $rowBytes))))
        (local.set $rows (i32.sub (local.get $rows) (local.get $block)))
        (br $blocks))))

;; `count` runs of `runBytes` bytes, src and dst each advancing by their own stride: the inner
  ;; loop of slices, splits and concatenations, however short their runs.
  (func (export "copyRuns")
    (param $src i32) (param $srcStride i32) (param $dst i32) (param $dstStride i32)
    (param $runBytes i32) (param $count i32)
    (block $done
      (loop $run
        (br_if $done (i32.eqz (local.get $count)))
        (memory.copy (local.get $dst) (local.get $src) (local.get $runBytes))
        (local.set $src (i32.add (local.get $src) (local.get $srcStride)))
        (local.set $dst (i32.add (local.get $dst) (local.get $dstStride)))
        (local.set $count (i32.sub (local.get $count) (i32.const 1)))
        (br $run))))

  ;; dst[i] += src[i] for `count` floats: sums the threads' partial filters.
  (func (export "addInto") (param $dst i32) (param $src i32) (param $count i32)
    (block $done4
      (loop $next4
        (br_if $done4 (i32.lt_s (local.get $count) (i32.const 4)))
        (v128.store align=4 (local.get $dst)
          (f32x4.add (v128.load align=4 (local.get $dst)) (v128.load align=4 (local.get $src))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $count (i32.sub (local.get $count) (i32.const 4)))
        (br $next4)))
    (block $done1
      (loop $next1
        (br_if $done1 (i32.eqz (local.get $count)))
        (f32.store (local.get $dst) (f32.add (f32.load (local.get $dst)) (f32.load (local.get $src))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (local.set $count (i32.sub (local.get $count) (i32.const 1)))
        (br $next1))))
)
